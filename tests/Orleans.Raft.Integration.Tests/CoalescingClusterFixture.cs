using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Raft.Coalescing;
using Orleans.Raft.Hosting;
using Orleans.Raft.Replica;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Three nodes with quiescence off, so heartbeats never stop, and a filter on every silo that records the Raft messages
/// each node receives: in batches at its inbox, or one by one from a replica of another silo.
/// </summary>
public sealed class CoalescingClusterFixture() : SiloClusterFixture<CoalescingClusterFixture.Configurator>(3)
{
    public static readonly ConcurrentDictionary<string, InMemoryRaftStorage> Disks = new(StringComparer.Ordinal);

    /// <summary>A batch a node's inbox received: the groups of its messages, and each message's type and entry count.</summary>
    public sealed record Batch(string Node, string[] Groups, (byte Type, int Entries)[] Messages);

    /// <summary>A message a replica received straight from a replica (not through an inbox).</summary>
    public sealed record Direct(string Node, string Group, byte Type, int Entries);

    public static readonly ConcurrentQueue<Batch> Batches = new();

    public static readonly ConcurrentQueue<Direct> Directs = new();

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var node = silo.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
            silo.AddRaftForTests(o =>
            {
                o.Quiesce = false;
                o.ReplaceDeadNodeAfter = TimeSpan.Zero;
            });
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => o.Name = node);
            silo.AddIncomingGrainCallFilter<RecordingFilter>();
        }
    }

    private sealed class RecordingFilter(IOptions<RaftNodeOptions> node) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is RaftNodeInboxGrain && context.Request.GetArgument(0) is CoalescedMessage[] batch)
            {
                Batches.Enqueue(new Batch(node.Value.Name!, [.. batch.Select(m => ReplicaKey.Parse(m.Target).Group).Distinct()],
                    [.. batch.Select(m => (m.Envelope.Type, m.Envelope.Entries.Length))]));
            }
            else if (context.Grain is RaftReplicaGrain && context.MethodName == nameof(IRaftReplicaGrain.Deliver)
                && context.SourceId is { } source && source.Type == context.TargetId.Type && context.Request.GetArgument(0) is RaftEnvelope envelope)
            {
                Directs.Enqueue(new Direct(node.Value.Name!, ReplicaKey.Parse(context.TargetId.Key.ToString()!).Group, envelope.Type, envelope.Entries.Length));
            }
            return context.Invoke();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CoalescingClusterCollection : ICollectionFixture<CoalescingClusterFixture>
{
    public const string Name = "Coalescing cluster";
}
