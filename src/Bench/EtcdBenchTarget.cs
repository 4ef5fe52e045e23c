using System.Net;
using System.Net.Http.Headers;

namespace Orleans.Raft.Bench;

/// <summary>
/// An etcd cluster reached through its members' JSON gRPC gateways, over HTTP/1.1 with kept-alive connections. Client N
/// talks to member N mod 3, as etcd's own client spreads its requests over the endpoints it is given.
/// </summary>
internal sealed class EtcdBenchTarget(IReadOnlyList<Uri> endpoints) : IBenchTarget, IDisposable
{
    /// <summary>etcd's own request timeout is 5 s plus twice the election timeout; the rest is the hop to it.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = RequestTimeout,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public IReadOnlyList<Uri> Endpoints => endpoints;

    public Task<KvOutcome> SetAsync(int client, string key, string value, CancellationToken cancellation) =>
        CallAsync(Endpoint(client), "/v3/kv/put", EtcdJson.Put(key, value), _ => KvOutcome.Done, cancellation);

    public Task<KvOutcome> GetAsync(int client, string key, bool serializable, CancellationToken cancellation) =>
        CallAsync(Endpoint(client), "/v3/kv/range", EtcdJson.Range(key, serializable), _ => KvOutcome.Done, cancellation);

    public Task<KvOutcome> CompareAndSetAsync(int client, string key, string? expected, string value, CancellationToken cancellation) =>
        CallAsync(Endpoint(client), "/v3/kv/txn", EtcdJson.CompareAndSet(key, expected, value), body =>
            EtcdJson.ReadTxn(body) is var (succeeded, current) && succeeded ? KvOutcome.Done : KvOutcome.CompareFailed(current), cancellation);

    /// <summary>A put to one member; when Ok, the term in which the member answered.</summary>
    public async Task<(KvOutcome Outcome, long RaftTerm)> PutAtAsync(Uri endpoint, string key, string value, CancellationToken cancellation)
    {
        long term = 0;
        var outcome = await CallAsync(endpoint, "/v3/kv/put", EtcdJson.Put(key, value), body =>
        {
            term = EtcdJson.ReadHeader(body).RaftTerm;
            return KvOutcome.Done;
        }, cancellation);
        return (outcome, term);
    }

    /// <summary>Every member's status; a member that does not answer is left out.</summary>
    public async Task<EtcdStatus[]> StatusesAsync(CancellationToken cancellation)
    {
        var answers = await Task.WhenAll(endpoints.Select(e => StatusAsync(e, cancellation)));
        return [.. answers.OfType<EtcdStatus>()];
    }

    public async Task<EtcdStatus?> StatusAsync(Uri endpoint, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var response = await _http.PostAsync(new Uri(endpoint, "/v3/maintenance/status"), Content("{}"u8.ToArray()), timeout.Token);
            if (!response.IsSuccessStatusCode) return null;
            return EtcdJson.ReadStatus(await response.Content.ReadAsByteArrayAsync(timeout.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<GroupLeader[]> LeadershipAsync(CancellationToken cancellation)
    {
        var statuses = await StatusesAsync(cancellation);
        if (statuses.Length == 0) throw new HttpRequestException("no etcd member answered /v3/maintenance/status");
        var term = statuses.Max(s => s.RaftTerm);
        return [new GroupLeader("etcd", term, statuses.Where(s => s.RaftTerm == term).Select(s => s.Leader).FirstOrDefault(l => l is not null))];
    }

    private Uri Endpoint(int client) => endpoints[client % endpoints.Count];

    private async Task<KvOutcome> CallAsync(Uri endpoint, string path, byte[] body, Func<byte[], KvOutcome> read, CancellationToken cancellation)
    {
        try
        {
            using var response = await _http.PostAsync(new Uri(endpoint, path), Content(body), cancellation);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellation);
            return response.IsSuccessStatusCode ? read(answer) : KvOutcome.Failed($"HTTP {(int)response.StatusCode}: {EtcdJson.ReadError(answer)}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellation.IsCancellationRequested)
        {
            return KvOutcome.Failed(ex is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds} s" : $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static ByteArrayContent Content(byte[] body) => new(body) { Headers = { ContentType = JsonType } };

    public void Dispose() => _http.Dispose();
}
