namespace Orleans.Raft;

/// <summary>A group's configuration as its leader holds it, with each member's liveness.</summary>
[GenerateSerializer, Immutable]
public sealed record MemberList
{
    [Id(0)] public required string Group { get; init; }
    [Id(1)] public string? Leader { get; init; }
    [Id(2)] public MemberInfo[] Members { get; init; } = [];

    /// <summary>True while a membership change is proposed and not yet committed.</summary>
    [Id(3)] public bool ChangePending { get; init; }
}
