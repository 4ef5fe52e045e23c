namespace Orleans.Raft.Silo;

/// <summary>The console timeline's log messages; event ids 1050-1059.</summary>
internal static partial class TimelineLogMessages
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Operator action {Action} ({Group}): {Outcome}")]
    public static partial void OperatorAction(this ILogger logger, string action, string? group, string outcome);

}
