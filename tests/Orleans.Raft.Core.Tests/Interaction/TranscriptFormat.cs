using System.Globalization;
using Orleans.Raft.Consensus;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>One line per message and per entry, etcd style: terms before indexes ("term/index").</summary>
public static class TranscriptFormat
{
    public static string Message(RaftMessage m)
    {
        var head = $"{m.From}->{m.To} {TypeName(m.Type)} Term:{m.Term}";
        var round = m.Round > 0 ? $" Round:{m.Round}" : "";
        var body = m.Type switch
        {
            MessageType.AppendEntries =>
                $" Log:{m.LogTerm}/{m.Index} Commit:{m.Commit}{round}{(m.Entries.Count > 0 ? $" Entries:[{string.Join(", ", m.Entries.Select(Entry))}]" : "")}",
            MessageType.AppendEntriesResponse =>
                (m.Reject ? $" Rejected Index:{m.Index} Hint:{m.ConflictTerm}/{m.ConflictIndex}" : $" Index:{m.Index}") + round,
            MessageType.ReadIndex => $" Context:{Context(m.Data)}",
            MessageType.ReadIndexResponse => m.Reject ? $" Rejected Context:{Context(m.Data)}" : $" Index:{m.Index} Context:{Context(m.Data)}",
            MessageType.RequestVote or MessageType.RequestPreVote => $" Log:{m.LogTerm}/{m.Index}{(m.Force ? " Force" : "")}",
            MessageType.RequestVoteResponse or MessageType.RequestPreVoteResponse => m.Reject ? " Rejected" : "",
            MessageType.InstallSnapshot =>
                $" Snapshot:{m.LogTerm}/{m.Index} Offset:{m.Offset} Bytes:{m.Data.Length}{(m.Done ? " Done" : "")}",
            MessageType.Quiesce => $" Log:{m.LogTerm}/{m.Index} Commit:{m.Commit}",
            MessageType.InstallSnapshotResponse =>
                $" Index:{m.Index} Offset:{m.Offset}{(m.Done ? " Done" : "")}{(m.Reject ? " Rejected" : "")}",
            _ => "",
        };
        return head + body;
    }

    public static string TypeName(MessageType type) => type switch
    {
        MessageType.RequestVote => "MsgVote",
        MessageType.RequestVoteResponse => "MsgVoteResp",
        MessageType.RequestPreVote => "MsgPreVote",
        MessageType.RequestPreVoteResponse => "MsgPreVoteResp",
        MessageType.AppendEntries => "MsgApp",
        MessageType.AppendEntriesResponse => "MsgAppResp",
        MessageType.InstallSnapshot => "MsgSnap",
        MessageType.InstallSnapshotResponse => "MsgSnapResp",
        MessageType.TimeoutNow => "MsgTimeoutNow",
        MessageType.Quiesce => "MsgQuiesce",
        MessageType.ReadIndex => "MsgReadIndex",
        MessageType.ReadIndexResponse => "MsgReadIndexResp",
        _ => type.ToString(),
    };

    public static string Entry(LogEntry e) => e.Type switch
    {
        LogEntryType.NoOp => $"{e.Term}/{e.Index} EntryNoOp",
        LogEntryType.ConfigChange => $"{e.Term}/{e.Index} EntryConfChange {GroupConfiguration.Decode(e.Data)}",
        _ => $"{e.Term}/{e.Index} EntryNormal \"{Command(e.Data)}\"",
    };

    /// <summary>A read's context, as the transcript gave it.</summary>
    public static string Context(byte[] context) => $"\"{System.Text.Encoding.UTF8.GetString(context)}\"";

    public static string Snapshot(SnapshotData s) => $"{s.Term}/{s.Index} Bytes:{s.Data.Length}";

    public static string HardState(HardState hs) => $"HardState Term:{hs.CurrentTerm} Vote:{hs.VotedFor ?? "0"} Commit:{hs.CommitIndex}";

    private static string Command(byte[] data)
    {
        var c = StateMachine.Command.Decode(data);
        return c.Operation switch
        {
            CommandOperation.Set => $"{c.Key}={c.Value}",
            CommandOperation.Delete => $"delete {c.Key}",
            _ => string.Create(CultureInfo.InvariantCulture, $"{c.Operation} {c.Key}"),
        };
    }
}
