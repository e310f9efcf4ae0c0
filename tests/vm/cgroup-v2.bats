#!/usr/bin/env bats
load ../integration/helpers

@test "smoke" {
  stat -f -c %T /sys/fs/cgroup
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}
