namespace Orleans.Raft.Consensus;

public enum LogEntryType : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2).</summary>
    NoOp = 1,
}
