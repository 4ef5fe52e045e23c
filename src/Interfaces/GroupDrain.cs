namespace Orleans.Raft;

/// <summary>What draining a node did to one group: the membership grain's account, or why it was refused.</summary>
public sealed record GroupDrain(string Group, string? Result, string? Error)
{
    public bool Succeeded => Error is null;
}
