namespace Orleans.Raft.Storage;

/// <summary>A write from an activation that is no longer the replica's current one was refused.</summary>
public sealed class StaleEpochException(string replica, long epoch, long current)
    : Exception($"replica {replica}: write with epoch {epoch} refused; epoch {current} owns it now");
