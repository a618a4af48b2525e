#if canImport(Glibc)
import Glibc
#endif

/// The CPUs this process may use: the CPUs in its scheduler affinity mask, lowered by a cgroup
/// CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, as a container
/// runtime or Kubernetes' CPU limit sets it) rounded up to whole CPUs. What `--stream-threads`
/// defaults to (``StreamThreadPlan``).
public struct AvailableCPUs: Sendable, Equatable, CustomStringConvertible {
    /// CPUs the scheduler may run this process on (`sched_getaffinity`).
    public var affinity: Int
    /// The cgroup CPU quota in CPUs (`nil`: no quota, or none found).
    public var quota: Double?

    public init(affinity: Int, quota: Double?) {
        self.affinity = affinity
        self.quota = quota
    }

    /// Whole CPUs available: the affinity mask's CPUs, at most the quota rounded up, at least 1.
    public var count: Int {
        let cpus = max(1, affinity)
        guard let quota, quota > 0 else { return cpus }
        return max(1, min(cpus, Int(quota.rounded(.up))))
    }

    public var description: String {
        let limit = quota.map { "cgroup quota \(Self.format($0))" } ?? "no cgroup quota"
        return "\(count) CPUs (affinity mask \(affinity), \(limit))"
    }

    /// This process's CPUs, read from the kernel.
    public static func detect() -> AvailableCPUs {
        AvailableCPUs(affinity: affinityCount(), quota: cgroupQuota(read: readFile))
    }

    // MARK: - cgroups

    /// The tightest CPU quota among this process's cgroup (v2 and v1 hierarchies, as
    /// `/proc/self/cgroup` names them) and the cgroup root a container sees; `read` returns a
    /// file's contents or `nil`.
    static func cgroupQuota(read: (String) -> String?) -> Double? {
        var candidates: [Double] = []
        let membership = read("/proc/self/cgroup") ?? ""
        var v2Paths = ["/"]
        var v1Paths = ["/"]
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                v2Paths.insert(path, at: 0)
            } else if fields[1].split(separator: ",").contains("cpu") {
                v1Paths.insert(path, at: 0)
            }
        }
        for path in v2Paths {
            for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                if let text = read(join(root, path, "cpu.max")), let quota = cgroupV2Quota(cpuMax: text) {
                    candidates.append(quota)
                }
            }
        }
        for path in v1Paths {
            for root in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
                if let quota = read(join(root, path, "cpu.cfs_quota_us")),
                    let period = read(join(root, path, "cpu.cfs_period_us")),
                    let limit = cgroupV1Quota(quotaMicroseconds: quota, periodMicroseconds: period)
                {
                    candidates.append(limit)
                }
            }
        }
        return candidates.min()
    }

    /// A cgroup v2 `cpu.max` ("max 100000" or "200000 100000") in CPUs; `nil` without a limit.
    static func cgroupV2Quota(cpuMax: String) -> Double? {
        let fields = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 1, fields[0] != "max", let quota = Double(fields[0]), quota > 0 else { return nil }
        let period = fields.count >= 2 ? Double(fields[1]) ?? 100_000 : 100_000
        return period > 0 ? quota / period : nil
    }

    /// A cgroup v1 CFS quota and period (microseconds) in CPUs; `nil` without a limit (quota −1).
    static func cgroupV1Quota(quotaMicroseconds: String, periodMicroseconds: String) -> Double? {
        guard let quota = Double(quotaMicroseconds.trimmingWhitespace), quota > 0,
            let period = Double(periodMicroseconds.trimmingWhitespace), period > 0
        else { return nil }
        return quota / period
    }

    private static func join(_ root: String, _ path: String, _ file: String) -> String {
        let middle = path == "/" || path.isEmpty ? "" : (path.hasPrefix("/") ? path : "/" + path)
        return root + middle + "/" + file
    }

    private static func format(_ cpus: Double) -> String {
        cpus == cpus.rounded() ? "\(Int(cpus))" : "\((cpus * 100).rounded() / 100)"
    }

    // MARK: - Kernel

    /// The CPUs in this process's affinity mask, from `Cpus_allowed_list` in `/proc/self/status`
    /// (what `sched_getaffinity` reports); the online CPUs where that cannot be read.
    private static func affinityCount() -> Int {
        if let status = readFile("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
            let count = cpuListCount(String(line.dropFirst("Cpus_allowed_list:".count)))
        {
            return count
        }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The number of CPUs in a kernel CPU list such as "0-3,8,10-11"; `nil` if malformed.
    static func cpuListCount(_ list: String) -> Int? {
        var total = 0
        for range in list.trimmingWhitespace.split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = Int(bounds[0].trimmingWhitespace) else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1].trimmingWhitespace) : low
            guard bounds.count <= 2, let high, high >= low else { return nil }
            total += high - low + 1
        }
        return total > 0 ? total : nil
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
