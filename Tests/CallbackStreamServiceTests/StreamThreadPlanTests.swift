import Testing
@testable import CallbackStreamService

/// `--stream-threads auto`: the CPUs the process may use (affinity mask, cgroup quota), capped by
/// the input topic's partitions.
@Suite struct StreamThreadPlanTests {
    @Test func autoTakesTheAvailableCPUs() {
        let plan = StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 2, quota: nil), inputPartitions: 128)
        #expect(plan.count == 2)
        #expect(plan.reason.contains("auto"))
        #expect(plan.reason.contains("128 partitions"))
    }

    @Test func autoIsCappedByTheInputPartitions() {
        let plan = StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 16, quota: nil), inputPartitions: 3)
        #expect(plan.count == 3)
        #expect(plan.reason.contains("capped by the input topic's 3 partition(s)"))
    }

    @Test func autoFollowsACgroupQuotaRoundedUp() {
        #expect(StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 8, quota: 1.5), inputPartitions: 64).count == 2)
        #expect(StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 8, quota: 0.25), inputPartitions: 64).count == 1)
        #expect(StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 2, quota: 6), inputPartitions: 64).count == 2)
    }

    @Test func autoWithUnknownPartitionsIsNotCappedAndSaysSo() {
        let plan = StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 4, quota: nil), inputPartitions: nil)
        #expect(plan.count == 4)
        #expect(plan.reason.contains("unknown"))
    }

    @Test func autoNeverExceedsTheMaximum() {
        let plan = StreamThreadPlan.choose(requested: nil, cpus: AvailableCPUs(affinity: 256, quota: nil), inputPartitions: 1_000)
        #expect(plan.count == StreamThreadPlan.maximum)
    }

    @Test func anExplicitCountIsKeptAndAnIdleSurplusIsNamed() {
        #expect(StreamThreadPlan.choose(requested: 1, cpus: AvailableCPUs(affinity: 8, quota: nil), inputPartitions: 128).count == 1)
        let surplus = StreamThreadPlan.choose(requested: 4, cpus: AvailableCPUs(affinity: 2, quota: nil), inputPartitions: 2)
        #expect(surplus.count == 4)
        #expect(surplus.reason.contains("2 thread(s) will get none"))
    }

    @Test func cgroupV2CpuMax() {
        #expect(AvailableCPUs.cgroupV2Quota(cpuMax: "max 100000\n") == nil)
        #expect(AvailableCPUs.cgroupV2Quota(cpuMax: "200000 100000\n") == 2)
        #expect(AvailableCPUs.cgroupV2Quota(cpuMax: "150000 100000") == 1.5)
        #expect(AvailableCPUs.cgroupV2Quota(cpuMax: "garbage") == nil)
    }

    @Test func cgroupV1CfsQuota() {
        #expect(AvailableCPUs.cgroupV1Quota(quotaMicroseconds: "-1\n", periodMicroseconds: "100000\n") == nil)
        #expect(AvailableCPUs.cgroupV1Quota(quotaMicroseconds: "50000\n", periodMicroseconds: "100000\n") == 0.5)
        #expect(AvailableCPUs.cgroupV1Quota(quotaMicroseconds: "300000", periodMicroseconds: "0") == nil)
    }

    @Test func theProcessCgroupAndTheContainerRootAreRead() {
        // A cgroup v2 pod with a limit of 1.5 CPUs at its own path; the root has none.
        let v2: [String: String] = [
            "/proc/self/cgroup": "0::/kubepods/pod1/ctr\n",
            "/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max": "150000 100000\n",
            "/sys/fs/cgroup/cpu.max": "max 100000\n",
        ]
        #expect(AvailableCPUs.cgroupQuota(read: { v2[$0] }) == 1.5)
        // A cgroup v1 container that sees its own cgroup as the root of the cpu hierarchy.
        let v1: [String: String] = [
            "/proc/self/cgroup": "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "200000\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
        ]
        #expect(AvailableCPUs.cgroupQuota(read: { v1[$0] }) == 2)
        // The tightest of several limits wins; no files: no quota.
        let both = v2.merging(["/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "50000", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"]) { a, _ in a }
        #expect(AvailableCPUs.cgroupQuota(read: { both[$0] }) == 0.5)
        #expect(AvailableCPUs.cgroupQuota(read: { _ in nil }) == nil)
    }

    @Test func cpuLists() {
        #expect(AvailableCPUs.cpuListCount("0-1\n") == 2)
        #expect(AvailableCPUs.cpuListCount("0-3,8,10-11") == 7)
        #expect(AvailableCPUs.cpuListCount("5") == 1)
        #expect(AvailableCPUs.cpuListCount("3-1") == nil)
        #expect(AvailableCPUs.cpuListCount("") == nil)
    }

    @Test func thisMachineHasAtLeastOneCPU() {
        let cpus = AvailableCPUs.detect()
        #expect(cpus.count >= 1)
        #expect(cpus.affinity >= cpus.count)
    }
}
