namespace Orleans.Raft.Consensus;

public enum LogEntryType : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2).</summary>
    NoOp = 1,

    /// <summary>A membership change: Data is the whole new <see cref="GroupConfiguration"/>, in effect once the entry commits.</summary>
    ConfigChange = 2,
}
