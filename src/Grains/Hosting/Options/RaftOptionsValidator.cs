using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Raft.Storage;
using Orleans.Runtime;

namespace Orleans.Raft.Hosting;

/// <summary>Checks at silo start what <see cref="RaftOptions"/>' attributes cannot: relations between settings and the host.</summary>
public sealed class RaftOptionsValidator(IOptions<RaftOptions> options, IOptions<RaftNodeOptions> node, IOptions<ReminderOptions> reminders, IServiceProvider services) : IConfigurationValidator
{
    private const string Section = RaftOptions.SectionName;
    private const string NameRule = "letters, digits, '-', '_' or '.'";

    public void ValidateConfiguration()
    {
        var o = options.Value;
        if (o.HeartbeatTicks >= o.ElectionTicks)
            Fail($"{Section}:{nameof(RaftOptions.HeartbeatTicks)} ({o.HeartbeatTicks}) must be less than {Section}:{nameof(RaftOptions.ElectionTicks)} ({o.ElectionTicks})");
        if (!Enum.IsDefined(o.ReadMode))
            Fail($"{Section}:{nameof(RaftOptions.ReadMode)} must be one of {string.Join(", ", Enum.GetNames<RaftReadMode>())}, not '{o.ReadMode}'");
        if (o.ReadMode == RaftReadMode.Lease && !o.CheckQuorum)
            Fail($"{Section}:{nameof(RaftOptions.ReadMode)} {nameof(RaftReadMode.Lease)} requires {Section}:{nameof(RaftOptions.CheckQuorum)}: without it a voter may elect a new leader while the old one still holds its lease, and a read could be stale");
        if (!ReplicaKey.IsValidName(o.Group))
            Fail($"{Section}:{nameof(RaftOptions.Group)} must be a name of {NameRule}, not '{o.Group}'");
        if (!o.Replicas.All(ReplicaKey.IsValidName) || o.Replicas.Distinct().Count() != o.Replicas.Length)
            Fail($"{Section}:{nameof(RaftOptions.Replicas)} must be distinct names of {NameRule}, not [{string.Join(", ", o.Replicas)}]");
        var n = node.Value;
        if (n.Name is not null && !ReplicaKey.IsValidName(n.Name))
            Fail($"{RaftNodeOptions.NodeSectionName}:{nameof(RaftNodeOptions.Name)} must be a name of {NameRule}, not '{n.Name}'");
        if (!n.InitialNodes.All(ReplicaKey.IsValidName))
            Fail($"{RaftNodeOptions.ClusterSectionName}:{nameof(RaftNodeOptions.InitialNodes)} must be names of {NameRule}, not [{string.Join(", ", n.InitialNodes)}]");
        if (n.InitialNodes.Length > 0 && n.Name is null)
            Fail($"{RaftNodeOptions.ClusterSectionName}:{nameof(RaftNodeOptions.InitialNodes)} is set, so this silo must be a node: set {RaftNodeOptions.NodeSectionName}:{nameof(RaftNodeOptions.Name)}");
        if (o.Groups is < 1)
            Fail($"{Section}:{nameof(RaftOptions.Groups)} must be at least 1, not {o.Groups}");
        if (o.ReplicationFactor is < 1)
            Fail($"{Section}:{nameof(RaftOptions.ReplicationFactor)} must be at least 1, not {o.ReplicationFactor}");
        if (o.ReplicationFactor is { } rf && n.InitialNodes.Length >= 2 && rf > n.InitialNodes.Length)
            Fail($"{Section}:{nameof(RaftOptions.ReplicationFactor)} ({rf}) must be at most the number of initial nodes ({n.InitialNodes.Length}: {string.Join(", ", n.InitialNodes)}): each replica of a group needs a node of its own");
        var groups = RaftGroupLayout.GroupCount(o.Groups, n.InitialNodes);
        if (groups > 1 && !ReplicaKey.IsValidName(new ShardMap(o.Group, groups).GroupName(groups - 1)))
            Fail($"{Section}:{nameof(RaftOptions.Group)} '{o.Group}' is too long for {groups} groups: '{o.Group}-{groups - 1}' must be at most 64 characters");
        if (o.SessionTimeout < 3 * o.RequestTimeout)
            Fail($"{Section}:{nameof(RaftOptions.SessionTimeout)} ({o.SessionTimeout}) must be at least 3 times {Section}:{nameof(RaftOptions.RequestTimeout)} ({o.RequestTimeout})");
        if (o.SlowApplyThreshold <= TimeSpan.Zero)
            Fail($"{Section}:{nameof(RaftOptions.SlowApplyThreshold)} ({o.SlowApplyThreshold}) must be more than 0");
        if (o.ReplaceDeadNodeAfter != TimeSpan.Zero && o.ReplaceDeadNodeAfter < TimeSpan.FromSeconds(1))
            Fail($"{Section}:{nameof(RaftOptions.ReplaceDeadNodeAfter)} ({o.ReplaceDeadNodeAfter}) must be 0 (off) or at least 1 s: a node is not dead for less");
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (o.ReminderPeriod < minimum)
            Fail($"{Section}:{nameof(RaftOptions.ReminderPeriod)} ({o.ReminderPeriod}) is below the host's {nameof(ReminderOptions)}.{nameof(ReminderOptions.MinimumReminderPeriod)} ({minimum}): lower that minimum in the host's configuration, or raise {nameof(RaftOptions.ReminderPeriod)}");
        if (services.GetService<IRaftStorage>() is null)
            Fail($"no Raft storage is configured: call {nameof(SqliteRaftStorageSiloBuilderExtensions.UseSqliteRaftStorage)} or {nameof(InMemoryRaftStorageSiloBuilderExtensions.UseInMemoryRaftStorage)} on the silo builder");
    }

    private static void Fail(string message) => throw new OrleansConfigurationException(message);
}
