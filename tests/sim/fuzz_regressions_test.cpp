// Inputs that fuzzing (fuzz/, docs/fuzzing.md) or its invariants showed to escape as something
// other than a ConfigError naming the problem: each is now rejected cleanly when it loads.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/scenario_errors.hpp"

namespace {

using sgdsim::ConfigError;
using sgdsim::testing::errors_of;
using sgdsim::testing::message_with;

const std::string kValid = R"(workers: 2
steps: 8
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 4}
model: {kind: least_squares}
data: {kind: synthetic, samples: 40, features: 3}
)";

}  // namespace

TEST_CASE("a text value that is not UTF-8 is a ConfigError naming the key and the byte",
          "[sim][fuzz]") {
  // Found by scenario_fuzzer: such a name loaded, and then writing summary.json (after the whole
  // run) or `sgdsim validate` threw nlohmann's type_error 316. The path is the minimised input.
  const std::string latin1_name = kValid + "name: caf\xE9\n";
  CHECK_THAT(message_with(errors_of(latin1_name), {"name"}),
             Catch::StartsWith("test.yaml:6:7: name: byte 4 (0xE9) is not UTF-8"));
  const std::string fuzzed_path =
      sgdsim::testing::with_line("data: {kind: synthetic, samples: 40, features: 3}",
                                 "data:\n  kind: csv\n  path: e\xFF\xFF\xEB}", kValid);
  CHECK_THAT(message_with(errors_of(fuzzed_path), {"data.path"}),
             Catch::Contains("byte 2 (0xFF) is not UTF-8"));
}

TEST_CASE("every name that loads can be written as JSON, and only malformed UTF-8 is refused",
          "[sim][fuzz]") {
  // Well-formed: 2-, 3- and 4-byte sequences up to U+10FFFF (RFC 3629).
  for (const std::string name : {"caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xEF\xBF\xBF",
                                 "\xF0\x9F\x99\x82", "\xF4\x8F\xBF\xBF", "tab\there"}) {
    INFO(name);
    const auto scenario = sgdsim::load_scenario_text(kValid + "name: \"" + name + "\"\n", "t.yaml");
    CHECK(scenario.name == name);
    CHECK_NOTHROW(sgdsim::scenario_to_json(scenario).dump());
  }
  // Malformed: a lone continuation byte, an overlong '/', a UTF-16 surrogate, a code point above
  // U+10FFFF, a cut-off sequence, and a lead byte that never starts one.
  for (const std::string name :
       {"a\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xF8\x88\x80\x80"}) {
    INFO(name);
    CHECK_THAT(message_with(errors_of(kValid + "name: \"" + name + "\"\n"), {"name"}),
               Catch::Contains("is not UTF-8"));
  }
}

TEST_CASE("a sweep key that is a mapping or a list is a ConfigError, not a conversion error",
          "[sim][fuzz]") {
  // Found by scenario_fuzzer: YAML allows any node as a key; read_sweep converted keys with
  // as<std::string>(), which threw YAML::TypedBadConversion out of load_scenario_text.
  const auto grid = errors_of(kValid + "sweep:\n  grid:\n    {kind: a}: [1, 2]\n");
  CHECK_THAT(message_with(grid, {"sweep.grid"}),
             Catch::Contains("expected a key path (such as algorithm.interval) as the key, got a "
                             "mapping"));
  const auto linked = errors_of(kValid + "sweep:\n  linked:\n    size: [{[workers]: 4}]\n");
  CHECK_THAT(message_with(linked, {"sweep.linked.size"}),
             Catch::Contains("the keys of each value must be key paths, got a list"));
}

TEST_CASE("a sweep of 64 two-valued axes is more than 100000 points, not 2^64 mod 2^64 = 0",
          "[sim][fuzz]") {
  // Found by the fuzzer's sweep invariant (review, then a hand-made input): the point count
  // wrapped around in size_t and the sweep loaded with no runs at all.
  std::string text = kValid + "sweep:\n  grid:\n";
  for (int axis = 0; axis < 64; ++axis) text += "    k" + std::to_string(axis) + ": [1, 2]\n";
  CHECK_THAT(message_with(errors_of(text), {"sweep.grid"}),
             Catch::Contains("more than 100000 points"));
}

TEST_CASE("a sweep value built from aliases of aliases is refused before it is written out",
          "[sim][fuzz]") {
  // Aliases make a "billion laughs": 4 levels of 10 stand for 11111 nodes, and each level more
  // multiplies the text that read_sweep writes for the value by 10.
  std::string levels = "&l0 [x, x, x, x, x, x, x, x, x, x]";
  for (int level = 1; level < 4; ++level) {
    const std::string alias = "*l" + std::to_string(level - 1);
    levels += ", &l" + std::to_string(level) + " [" + alias;
    for (int i = 1; i < 10; ++i) levels += ", " + alias;
    levels += "]";
  }
  const auto messages = errors_of(kValid + "sweep:\n  grid:\n    name: [" + levels + "]\n");
  CHECK_THAT(message_with(messages, {"sweep.grid.name"}),
             Catch::Contains("more than 10000 items once its aliases are expanded"));
}

TEST_CASE("a scenario that made yaml-cpp's LoadAll loop forever is refused at once",
          "[sim][fuzz]") {
  // Found by scenario_fuzzer (a timeout) once loading used YAML::LoadAll to find a second
  // document: yaml-cpp 0.7 never returns on this text (NUL bytes after the first document).
  // Loading now reads one document and finds `---` markers in the text itself.
  const std::string path = std::string(SGDSIM_SOURCE_DIR) + "/tests/data/fuzz_loadall_hang.yaml";
  CHECK_THROWS_AS(sgdsim::load_scenario_file(path), sgdsim::ConfigError);
}
