using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.Runtime.GrainDirectory;

namespace Orleans.Raft.Hosting;

/// <summary>
/// Gives the replica grains (<see cref="RaftSiloBuilderExtensions.ReplicaDirectory"/>) their directory: the distributed
/// one that <see cref="RaftSiloBuilderExtensions.AddRaft"/> registered under that name or, when the host has a default
/// directory of its own (Orleans' TestCluster makes it the distributed one), that instance. The instance itself, not a
/// second name for it: the distributed directory recovers a dead silo's entries only from the activations registered
/// in it, and a second name would start it twice.
/// </summary>
internal sealed class ReplicaDirectoryResolver(IServiceProvider services) : IGrainDirectoryResolver
{
    public bool TryResolveGrainDirectory(GrainType grainType, GrainProperties? properties, [NotNullWhen(true)] out IGrainDirectory? grainDirectory)
    {
        grainDirectory = null;
        if (properties is null || !properties.Properties.TryGetValue(WellKnownGrainTypeProperties.GrainDirectory, out var name) || name != RaftSiloBuilderExtensions.ReplicaDirectory)
            return false;
        grainDirectory = services.GetKeyedService<IGrainDirectory>(RaftSiloBuilderExtensions.ReplicaDirectory)
            ?? services.GetRequiredKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY);
        return true;
    }
}
