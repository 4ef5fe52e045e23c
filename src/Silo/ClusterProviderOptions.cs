using StackExchange.Redis;

namespace Orleans.Raft.Silo;

/// <summary>The cluster's membership and reminder provider, bound from the "Cluster" section.</summary>
public sealed class ClusterProviderOptions
{
    public const string SectionName = "Cluster";

    /// <summary>"Development" (the default) or "Redis".</summary>
    public string Provider { get; set; } = nameof(ClusterProvider.Development);

    /// <summary>The Redis server, in StackExchange.Redis syntax ("host:port[,password=...]"); required for Redis.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Parses <see cref="Provider"/>; throws <see cref="SiloConfigurationException"/> with the reason.</summary>
    public ClusterProvider ParseProvider()
    {
        var text = Provider.Trim();
        // Names only: Enum.TryParse would take "1" as well.
        foreach (var provider in Enum.GetValues<ClusterProvider>())
        {
            if (text.Equals(provider.ToString(), StringComparison.OrdinalIgnoreCase)) return provider;
        }
        throw new SiloConfigurationException($"{SectionName}:{nameof(Provider)} must be Development or Redis, not '{Provider}'");
    }

    /// <summary>Parses <see cref="ConnectionString"/>; throws <see cref="SiloConfigurationException"/> when it is missing or malformed.</summary>
    public ConfigurationOptions ParseRedis()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new SiloConfigurationException(
                $"{SectionName}:{nameof(Provider)} is Redis, so {SectionName}:{nameof(ConnectionString)} is required: the Redis server " +
                "that holds the membership table and the reminders, e.g. --cluster-connection 127.0.0.1:6379");
        }
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new SiloConfigurationException($"{SectionName}:{nameof(ConnectionString)} is not a Redis connection string: {ex.Message}");
        }
        if (options.EndPoints.Count == 0)
            throw new SiloConfigurationException($"{SectionName}:{nameof(ConnectionString)} names no Redis server (host:port)");
        return options;
    }
}
