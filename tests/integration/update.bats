#!/usr/bin/env bats
# update: new resource limits applied to a running container's cgroup
# (read back from the v1 files of this host).

load helpers

cg() { cat "/sys/fs/cgroup/$1/$CG_PARENT/$ID/$2"; }

@test "update --memory, --cpu-shares and --pids-limit apply live" {
  create_started
  minirt update --memory 64m --cpu-shares 512 --pids-limit 20 "$ID"
  [ "$(cg memory memory.limit_in_bytes)" = $((64 * 1024 * 1024)) ]
  [ "$(cg cpu cpu.shares)" = 512 ]
  [ "$(cg pids pids.max)" = 20 ]
  [ "$(state_field "$ID" status)" = running ]
}

@test "update --resources FILE applies a linux.resources document" {
  create_started
  cat >"$TEST_DIR/res.json" <<'EOS'
{"memory": {"limit": 100663296, "reservation": 50331648},
 "cpu": {"shares": 300, "quota": 20000, "period": 100000},
 "pids": {"limit": 33}}
EOS
  minirt update --resources "$TEST_DIR/res.json" "$ID"
  [ "$(cg memory memory.limit_in_bytes)" = 100663296 ]
  [ "$(cg memory memory.soft_limit_in_bytes)" = 50331648 ]
  [ "$(cg cpu cpu.shares)" = 300 ]
  [ "$(cg cpu cpu.cfs_quota_us)" = 20000 ]
  [ "$(cg cpu cpu.cfs_period_us)" = 100000 ]
  [ "$(cg pids pids.max)" = 33 ]
}

@test "update --resources - reads stdin, and flags override the file" {
  create_started
  echo '{"pids": {"limit": 40}, "cpu": {"shares": 700}}' |
    minirt update --resources - --cpu-shares 800 "$ID"
  [ "$(cg pids pids.max)" = 40 ]
  [ "$(cg cpu cpu.shares)" = 800 ]
}

@test "a zero value leaves the setting unchanged (docker sends memory 0)" {
  cfg_edit '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
  create_started
  echo '{"memory": {"limit": 0}, "cpu": {"shares": 1024}, "pids": {"limit": 0}}' |
    minirt update --resources - "$ID"
  [ "$(cg memory memory.limit_in_bytes)" = 67108864 ]
  [ "$(cg pids pids.max)" = 50 ]
  [ "$(cg cpu cpu.shares)" = 1024 ]
  minirt update --memory 0 --cpu-shares 256 "$ID"
  [ "$(cg memory memory.limit_in_bytes)" = 67108864 ]
  [ "$(cg cpu cpu.shares)" = 256 ]
  echo '{"cpu": {"shares": 0, "quota": 0}, "pids": {"limit": 30}}' |
    minirt update --resources - "$ID"
  [ "$(cg cpu cpu.shares)" = 256 ]
  [ "$(cg pids pids.max)" = 30 ]
}

@test "update --pids-limit -1 and --memory -1 remove the limits" {
  cfg_edit '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
  create_started
  minirt update --pids-limit -1 --memory -1 "$ID"
  [ "$(cg pids pids.max)" = max ]
  [ "$(cg memory memory.limit_in_bytes)" -gt $((1 << 40)) ]
}

@test "update with a bad resources file names it and changes nothing" {
  cfg_edit '.linux.resources.pids = {"limit": 50}'
  create_started
  echo '{"pids": {"limit": "many"}}' >"$TEST_DIR/bad.json"
  rt update --resources "$TEST_DIR/bad.json" "$ID"
  assert_failure
  assert_output_contains "bad.json"
  assert_output_contains "pids.limit"
  [ "$(cg pids pids.max)" = 50 ]
}

@test "update of a stopped or missing container fails" {
  rt update --pids-limit 5 nosuch
  assert_failure
  assert_output_contains "does not exist"
  cfg_edit '.process.args = ["true"]'
  create_started
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  rt update --pids-limit 5 "$ID"
  assert_failure
  assert_output_contains "not running"
}
