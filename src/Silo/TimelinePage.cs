namespace Orleans.Raft.Silo;

/// <summary>
/// The events after a given id, oldest first. Epoch changes when the silo restarts (ids start again from 1); Last is
/// the id to ask after next time; Missed counts the events after the asked-for id that the ring no longer holds;
/// More says the page was cut at its limit.
/// </summary>
public sealed record TimelinePage(string Epoch, long Last, long Missed, bool More, IReadOnlyList<TimelineEvent> Events);
