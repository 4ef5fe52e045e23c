namespace Orleans.Raft.Bench;

/// <summary>The workloads' names in the tables and the JSON: short, and the same for every system measured.</summary>
internal static class WorkloadNames
{
    public static string Of(Workload workload) => workload switch
    {
        Workload.Set => "set",
        Workload.GetLinearizable => "get linearizable",
        Workload.GetSerializable => "get serializable",
        Workload.CompareAndSet => "compare-and-set",
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, null),
    };

    public static bool IsRead(Workload workload) => workload is Workload.GetLinearizable or Workload.GetSerializable;
}
