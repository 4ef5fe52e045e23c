namespace Orleans.Raft;

/// <summary>One member of a group as 'member list' shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record MemberInfo
{
    [Id(0)] public required string Replica { get; init; }
    [Id(1)] public string? Node { get; init; }
    [Id(2)] public MemberRole Role { get; init; }

    /// <summary>Running and answering.</summary>
    [Id(3)] public bool Live { get; init; }
    [Id(4)] public bool IsLeader { get; init; }

    /// <summary>The last index it applied, when live.</summary>
    [Id(5)] public long Applied { get; init; }
}
