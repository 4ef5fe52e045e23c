using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Hosting;

public static class SqliteRaftStorageSiloBuilderExtensions
{
    /// <summary>
    /// Keeps replicas' term, vote, log and snapshots durably in SQLite (WAL mode, synchronous=FULL), in
    /// <see cref="SqliteRaftStorageOptions.DataDirectory"/>.
    /// </summary>
    public static ISiloBuilder UseSqliteRaftStorage(this ISiloBuilder builder, Action<SqliteRaftStorageOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<SqliteRaftStorageOptions>();
        if (configure is not null) options.Configure(configure);
        builder.Services.RemoveAll<IRaftStorage>();
        builder.Services.AddSingleton<IRaftStorage>(sp => new SqliteRaftStorage(sp.GetRequiredService<IOptions<SqliteRaftStorageOptions>>().Value, sp.GetService<IMeterFactory>()));
        return builder;
    }
}
