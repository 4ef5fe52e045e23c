namespace Orleans.Raft;

[GenerateSerializer]
public enum KvOperation
{
    Get,
    Set,
    Delete,
    CompareAndSet,

    /// <summary>Appends Value to the key's value, creating the key if absent. Not idempotent: a retry must not apply twice.</summary>
    Append,
}
