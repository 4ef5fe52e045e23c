using Orleans.Raft.Consensus;

namespace Orleans.Raft.Hosting;

/// <summary>Maps the core's messages to and from their wire form, so the core stays free of Orleans types.</summary>
internal static class EnvelopeMapper
{
    public static RaftEnvelope ToWire(RaftMessage m) => new(
        (byte)m.Type, m.From, m.To,
        m.Term, m.LogTerm, m.Index, m.Commit,
        [.. m.Entries.Select(e => new WireLogEntry(e.Index, e.Term, (byte)e.Type, e.Data))],
        m.Reject, m.ConflictIndex, m.ConflictTerm, m.Force,
        m.Offset, m.Data, m.Done, m.Checksum,
        m.Configuration?.Encode(),
        Round: m.Round);

    public static RaftMessage FromWire(RaftEnvelope e) => new()
    {
        Type = (MessageType)e.Type,
        From = e.From,
        To = e.To,
        Term = e.Term,
        LogTerm = e.LogTerm,
        Index = e.Index,
        Commit = e.Commit,
        Entries = [.. e.Entries.Select(x => new LogEntry(x.Index, x.Term, (LogEntryType)x.Type, x.Data))],
        Reject = e.Reject,
        ConflictIndex = e.ConflictIndex,
        ConflictTerm = e.ConflictTerm,
        Force = e.Force,
        Offset = e.Offset,
        Data = e.Data,
        Done = e.Done,
        Checksum = e.Checksum,
        Round = e.Round,
        Configuration = e.Configuration is { } configuration ? GroupConfiguration.Decode(configuration) : null,
    };
}
