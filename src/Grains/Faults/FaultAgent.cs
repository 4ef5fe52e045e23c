using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Faults;

/// <summary>
/// Keeps this silo's <see cref="FaultInjectionState"/> in step with the control grain: subscribed for pushes, and
/// re-subscribing every few seconds, which also refreshes the state if a push was missed.
/// </summary>
public sealed class FaultAgent(IGrainFactory grainFactory, FaultInjectionState state, ILogger<FaultAgent> logger)
    : BackgroundService, IFaultObserver
{
    public static readonly TimeSpan ResubscribePeriod = TimeSpan.FromSeconds(5);

    public Task OnFaultsChanged(FaultSnapshot snapshot)
    {
        state.Apply(snapshot);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IFaultObserver? self = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = ResubscribePeriod;
            try
            {
                self ??= grainFactory.CreateObjectReference<IFaultObserver>(this);
                state.Apply(await grainFactory.GetGrain<IFaultControlGrain>(FaultControlGrain.Key).Subscribe(self).WaitAsync(stoppingToken));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The silo may still be starting, or the control grain's silo may have died.
                logger.FaultSubscriptionFailed(ex);
                wait = TimeSpan.FromMilliseconds(500);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
