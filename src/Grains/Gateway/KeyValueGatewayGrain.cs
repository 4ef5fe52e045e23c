using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Gateway;

/// <summary>
/// The client's entry point for one group (keyed by group name). It sends each request to the leader it knows,
/// follows NotLeader hints, retries through elections with the same request id, and always answers within the
/// request timeout. A stateless worker: each silo has its own, with its own cached leader.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class KeyValueGatewayGrain(
    IOptions<RaftOptions> options,
    TimeProvider timeProvider,
    ILogger<KeyValueGatewayGrain> logger) : Grain, IKeyValueGatewayGrain
{
    private readonly RaftOptions _options = options.Value;
    private string[] _members = [];
    private string? _leader;
    private int _next;

    private string Group => this.GetPrimaryKeyString();

    public Task<KvResponse> Get(string key) => Execute(KvRequest.Get(key));

    public Task<KvResponse> Set(string key, string value) => Execute(KvRequest.Set(key, value));

    public Task<KvResponse> Delete(string key) => Execute(KvRequest.Delete(key));

    public Task<KvResponse> CompareAndSet(string key, string? expected, string value) => Execute(KvRequest.CompareAndSet(key, expected, value));

    public async Task<KvResponse> Execute(KvRequest request)
    {
        if (RequestValidator.Validate(request, _options) is { } error) return KvResponse.Failure(KvStatus.InvalidRequest, error);
        if (request.RequestId == Guid.Empty) request = request with { RequestId = Guid.NewGuid() };
        var members = await GetMembersAsync();
        if (members.Length == 0) return KvResponse.Failure(KvStatus.InvalidRequest, $"unknown group '{Group}': no replicas are registered");

        var timeout = _options.RequestTimeout;
        var started = timeProvider.GetTimestamp();
        TimeSpan Remaining() => timeout - timeProvider.GetElapsedTime(started);
        KvResponse? last = null;

        while (Remaining() > TimeSpan.Zero)
        {
            var target = _leader ?? members[_next++ % members.Length];
            KvResponse response;
            try
            {
                response = await Replica(target).Execute(request, forward: false, Remaining()).WaitAsync(Remaining());
            }
            catch (TimeoutException)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogDebug(ex, "{Group}: request to {Replica} failed", Group, target);
                _leader = null;
                await PauseAsync(Remaining());
                continue;
            }

            switch (response.Status)
            {
                case KvStatus.NotLeader:
                case KvStatus.Unavailable:
                    // Follow the hint; without one, try the next replica after a tick so an election can finish.
                    // Retrying is safe either way: the same request id is applied at most once.
                    _leader = response.LeaderHint is { } hint && hint != target && members.Contains(hint) ? hint : null;
                    if (_leader is null) await PauseAsync(Remaining());
                    last = response;
                    continue;
                case KvStatus.Overloaded:
                    // Not applied, so safe to retry; the leader's backlog drains as entries commit.
                    _leader = target;
                    last = response;
                    await PauseAsync(Remaining());
                    continue;
                case KvStatus.Timeout:
                    _leader = null;
                    return response;
                default:
                    _leader = response.ServedBy ?? target;
                    return response;
            }
        }

        if (last?.Status == KvStatus.Overloaded)
        {
            return KvResponse.Failure(KvStatus.Overloaded,
                $"Overloaded: the leader of group '{Group}' kept refusing the write for {timeout.TotalSeconds:0.###} s because too many writes are uncommitted; it was not applied, retry later ({last.Error})",
                last.ServedBy);
        }
        var reason = last?.Error is { } e ? $" (last answer: {e})" : "";
        return KvResponse.Failure(KvStatus.Timeout, $"Request timed out after {timeout.TotalSeconds:0.###} s: no leader of group '{Group}' answered{reason}");
    }

    public async Task<KvResponse> ExecuteVia(string replica, KvRequest request)
    {
        if (RequestValidator.Validate(request, _options) is { } error) return KvResponse.Failure(KvStatus.InvalidRequest, error);
        var members = await GetMembersAsync();
        if (!members.Contains(replica)) return KvResponse.Failure(KvStatus.InvalidRequest, $"unknown replica '{replica}' in group '{Group}' (members: {string.Join(", ", members)})");
        if (request.RequestId == Guid.Empty) request = request with { RequestId = Guid.NewGuid() };
        try
        {
            return await Replica(replica).Execute(request, forward: true, _options.RequestTimeout).WaitAsync(_options.RequestTimeout + _options.TickInterval);
        }
        catch (TimeoutException)
        {
            return KvResponse.Failure(KvStatus.Timeout, $"Request timed out after {_options.RequestTimeout.TotalSeconds:0.###} s at replica {replica}", replica);
        }
    }

    public async Task<ReplicaStatus[]> GetStatus()
    {
        var members = await GetMembersAsync();
        var statuses = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return await Replica(m).GetStatus().WaitAsync(_options.RequestTimeout);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new ReplicaStatus { Group = Group, Replica = m, Error = ex.Message };
            }
        }));
        return statuses;
    }

    public async Task StartElection(string replica)
    {
        var members = await GetMembersAsync();
        if (!members.Contains(replica)) throw new ArgumentException($"unknown replica '{replica}' in group '{Group}' (members: {string.Join(", ", members)})");
        await Replica(replica).StartElection();
        _leader = null;
    }

    private IRaftReplicaGrain Replica(string name) => GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(Group, name));

    private async Task<string[]> GetMembersAsync()
    {
        if (_members.Length == 0)
        {
            _members = await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(Group).GetMembers();
            if (_members.Length == 0 && Group == _options.Group) _members = [.. _options.Replicas];
        }
        return _members;
    }

    private Task PauseAsync(TimeSpan remaining)
    {
        var wait = remaining < _options.TickInterval ? remaining : _options.TickInterval;
        return wait > TimeSpan.Zero ? Task.Delay(wait, timeProvider) : Task.CompletedTask;
    }
}
