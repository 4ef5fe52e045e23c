namespace Orleans.Raft.Silo;

/// <summary>
/// One event of the console's timeline. Kind is "leader", "membership", "replica", "fault" or "operator"; Failed marks
/// an operator action that was refused or failed.
/// </summary>
public sealed record TimelineEvent(long Id, DateTimeOffset Time, string Kind, string? Group, string Text, bool Failed = false);
