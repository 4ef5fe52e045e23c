namespace Orleans.Raft.Nemesis;

/// <summary>What the clients do: single keys and transactions (register), appends to lists and reads of them, or both.</summary>
public enum Workload
{
    Register,
    Append,
    Both,
}
