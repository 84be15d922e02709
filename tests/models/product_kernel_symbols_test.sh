#!/usr/bin/env bash
# Every symbol that a per-instruction-set product kernel object (models/products/) defines for
# the linker must be its own, its name carrying the object's instruction set: a weak copy of an
# inline function that other units also emit (anything of std::, or Eigen under its usual name)
# may be the one the linker keeps for the whole program, and run AVX-512 code on a CPU without it.
# Arguments: the objects (CMake may pass them as one ;-separated list).
set -euo pipefail
status=0
for object in ${*//;/ }; do
  set_name=$(basename "$object")
  set_name=${set_name#product_kernel_}
  set_name=${set_name%%.*}
  own=0 foreign=0
  while read -r type name; do
    case $name in
      *"sgdsim_eigen_${set_name}"* | *"products_${set_name}"*) own=$((own + 1)) ;;
      DW.ref.__gxx_personality_v0) ;;  # the address of the C++ unwinder, the same in every unit
      *)
        echo "$object: $type $(c++filt "$name") is not $set_name's own" >&2
        foreign=$((foreign + 1))
        ;;
    esac
  done < <(nm --defined-only --extern-only "$object" | awk '{print $(NF-1), $NF}')
  exports=$(nm --defined-only --extern-only "$object" | grep -c "products_${set_name}8multiply" || true)
  if [ "$exports" -ne 2 ]; then
    echo "$object: expected products_${set_name}::multiply for float and double, found $exports" >&2
    status=1
  fi
  [ "$foreign" -eq 0 ] || status=1
  echo "$object: $own symbols of $set_name's own, $foreign others" >&2
done
exit "$status"
