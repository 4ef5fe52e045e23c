using Microsoft.Extensions.Logging;

namespace Orleans.Raft.Bench;

/// <summary>
/// The in-process silo's log filter: the minimum level, and silence from Orleans' own categories once the cluster is
/// being thrown away. A one-silo cluster has nowhere to migrate its grains when it stops; Orleans logs each failed
/// hand-over and each message to them as an error, which says nothing about the run (and so does its placement
/// retry, under Polly's category, for each watch stream it closes).
/// </summary>
internal sealed class ShutdownLogFilter(LogLevel minimum)
{
    private volatile bool _stopping;

    /// <summary>Set when the cluster starts to stop; never cleared.</summary>
    public void Stopping() => _stopping = true;

    public bool Allows(string? category, LogLevel level) => level >= minimum && !(_stopping && IsOrleansRuntime(category));

    private static bool IsOrleansRuntime(string? category) =>
        category is not null && ((category.StartsWith("Orleans.", StringComparison.Ordinal) && !category.StartsWith("Orleans.Raft", StringComparison.Ordinal)) || category == "Polly");
}
