namespace Orleans.Raft.Bench;

/// <summary>
/// Completes <see cref="Next"/> each time one of the client's gateway connections closes. Orleans does not fail a
/// request in flight on a gateway connection that closes: it waits for its response timeout (30 s by default), so a
/// client that wants to fail over at once must notice the closed connection itself.
/// </summary>
internal sealed class GatewayLossSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next loss of a gateway connection; take it before sending a request, so a loss in between counts.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void OnGatewayCountChanged(object? sender, GatewayCountChangedEventArgs e)
    {
        if (e.NumberOfConnectedGateways >= e.PreviousNumberOfConnectedGateways) return;
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
