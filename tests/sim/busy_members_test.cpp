// The barrier's bookkeeping: a group's count of busy members, at every level, follows each
// worker's changes, so a round opens exactly when its group's last busy member stops.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/run/busy_members.hpp"

using sgdsim::BusyMembers;

TEST_CASE("a single level's group is free once every worker has stopped", "[sim][run]") {
  BusyMembers busy({5}, 5);
  for (int w = 0; w < 5; ++w) {
    CHECK(busy.any_in_group_of(w, 0));
    busy.update(w, true, false);
  }
  CHECK_FALSE(busy.any_in_group_of(0, 0));
  busy.update(3, false, true);
  CHECK(busy.any_in_group_of(0, 0));
  busy.update(3, false, false);  // not a change: counted once
  busy.update(3, true, false);
  CHECK_FALSE(busy.any_in_group_of(4, 0));
}

TEST_CASE("group counts at each level follow their own members only", "[sim][run]") {
  BusyMembers busy({2, 6}, 6);  // groups {0,1} {2,3} {4,5}, then everyone
  busy.update(2, true, false);
  busy.update(3, true, false);
  CHECK_FALSE(busy.any_in_group_of(2, 0));
  CHECK_FALSE(busy.any_in_group_of(3, 0));
  CHECK(busy.any_in_group_of(0, 0));
  CHECK(busy.any_in_group_of(5, 0));
  CHECK(busy.any_in_group_of(3, 1));  // the global group still has 0, 1, 4 and 5
  for (int w : {0, 1, 4, 5}) busy.update(w, true, false);
  for (int w = 0; w < 6; ++w) CHECK_FALSE(busy.any_in_group_of(w, 1));
}

TEST_CASE("a last group smaller than the others counts only its members", "[sim][run]") {
  BusyMembers busy({4, 6}, 6);  // {0..3} and {4, 5}
  busy.update(4, true, false);
  CHECK(busy.any_in_group_of(5, 0));
  busy.update(5, true, false);
  CHECK_FALSE(busy.any_in_group_of(4, 0));
  CHECK(busy.any_in_group_of(4, 1));
}
