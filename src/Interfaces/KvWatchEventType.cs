namespace Orleans.Raft;

[GenerateSerializer]
public enum KvWatchEventType
{
    Put,
    Delete,

    /// <summary>The revision asked for is gone from the history: the last item of the stream; CompactRevision + 1 is the oldest one to resume from.</summary>
    Compacted,
}
