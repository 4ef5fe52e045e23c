namespace Orleans.Raft.Storage;

/// <summary>A replica found in storage: its group, the name it was opened under, and its stored members.</summary>
public sealed record StoredReplica(string Group, string Replica, string[] Members);
