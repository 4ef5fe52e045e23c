namespace Orleans.Raft.ClientApp;

/// <summary>A cluster client and what closes it.</summary>
public sealed class ConnectedClient(IClusterClient client, Func<ValueTask> close) : IAsyncDisposable
{
    public IClusterClient Client => client;

    /// <summary>A client owned by someone else: disposing it does nothing.</summary>
    public static ConnectedClient Borrowed(IClusterClient client) => new(client, () => ValueTask.CompletedTask);

    public ValueTask DisposeAsync() => close();
}
