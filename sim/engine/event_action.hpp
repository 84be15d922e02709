// What an event does: a move-only callable that keeps captures of up to 40 bytes inline, so that
// scheduling a typical event (a few ids and a time) allocates nothing, where std::function would
// allocate for anything beyond 16 bytes (bench/engine_bench.cpp: 8.3 → 10+ M events/s). 40, not
// more: with the operations pointer that is 48 bytes an event, and a run of 10⁶ workers keeps 10⁶
// pending (a step's completion captures 32: the run, the worker, an attempt and a time).
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace sgdsim {

class EventAction {
 public:
  EventAction() = default;

  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, EventAction>>>
  EventAction(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert, like std::function
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInlineBytes && alignof(Fn) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Fn>) {
      ::new (static_cast<void*>(buffer_)) Fn(std::forward<F>(f));
      ops_ = &kInlineOps<Fn>;
    } else {
      *reinterpret_cast<Fn**>(buffer_) = new Fn(std::forward<F>(f));
      ops_ = &kHeapOps<Fn>;
    }
  }
  EventAction(EventAction&& other) noexcept { take(other); }
  EventAction& operator=(EventAction&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  EventAction(const EventAction&) = delete;
  EventAction& operator=(const EventAction&) = delete;
  ~EventAction() { reset(); }

  void operator()() { ops_->invoke(buffer_); }
  explicit operator bool() const { return ops_ != nullptr; }

 private:
  static constexpr std::size_t kInlineBytes = 40;

  struct Ops {
    void (*invoke)(void* storage);
    void (*move)(void* from, void* to);  // leaves `from` empty
    void (*destroy)(void* storage);
  };
  template <class Fn>
  static constexpr Ops kInlineOps = {[](void* p) { (*static_cast<Fn*>(p))(); },
                                     [](void* from, void* to) {
                                       ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
                                       static_cast<Fn*>(from)->~Fn();
                                     },
                                     [](void* p) { static_cast<Fn*>(p)->~Fn(); }};
  template <class Fn>
  static constexpr Ops kHeapOps = {
      [](void* p) { (**static_cast<Fn**>(p))(); },
      [](void* from, void* to) { *static_cast<Fn**>(to) = *static_cast<Fn**>(from); },
      [](void* p) { delete *static_cast<Fn**>(p); }};

  void take(EventAction& other) {
    ops_ = other.ops_;
    if (ops_ != nullptr) {
      ops_->move(other.buffer_, buffer_);
      other.ops_ = nullptr;
    }
  }
  void reset() {
    if (ops_ != nullptr) {
      ops_->destroy(buffer_);
      ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char buffer_[kInlineBytes];
  const Ops* ops_ = nullptr;
};

static_assert(sizeof(EventAction) <= 48, "an event's action grew: see the inline size above");

}  // namespace sgdsim
