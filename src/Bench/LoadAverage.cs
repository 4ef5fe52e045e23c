namespace Orleans.Raft.Bench;

/// <summary>The machine's 1-minute load average, from /proc/loadavg: the machine may be shared, and the numbers depend on it.</summary>
internal static class LoadAverage
{
    /// <summary>The load average as the kernel prints it, or "?" where there is no /proc/loadavg.</summary>
    public static string Now()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
