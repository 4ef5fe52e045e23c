using Microsoft.Extensions.Options;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Gateway;

/// <summary>The benchmark's baseline: the same requests, validation and responses, with no replication and no log.</summary>
public sealed class UnreplicatedKeyValueGrain(IOptions<RaftOptions> options) : Grain, IUnreplicatedKeyValueGrain
{
    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);

    public Task<KvResponse> Execute(KvRequest request)
    {
        if (RequestValidator.Validate(request, options.Value) is { } error) return Task.FromResult(KvResponse.Failure(KvStatus.InvalidRequest, error.Message));
        var key = request.Key;
        KvResponse response = request.Operation switch
        {
            KvOperation.Get => _data.TryGetValue(key, out var v) ? Ok(v) : NotFound(key),
            KvOperation.Set => Set(key, request.Value!),
            KvOperation.Delete => _data.Remove(key, out var old) ? Ok(old) : NotFound(key),
            KvOperation.Append => Append(key, request.Value!),
            _ => _data.TryGetValue(key, out var cur) == (request.Expected is not null) && (request.Expected is null || cur == request.Expected)
                ? Set(key, request.Value!)
                : new KvResponse { Status = KvStatus.CompareFailed, Value = cur, Error = $"compare failed for key {key}" },
        };
        return Task.FromResult(response);
    }

    private KvResponse Set(string key, string value)
    {
        _data[key] = value;
        return Ok(value);
    }

    private KvResponse Append(string key, string suffix)
    {
        _data[key] = _data.GetValueOrDefault(key, "") + suffix;
        return Ok(null);
    }

    private static KvResponse Ok(string? value) => new() { Status = KvStatus.Ok, Value = value, ServedBy = "unreplicated" };

    private static KvResponse NotFound(string key) => new() { Status = KvStatus.NotFound, Error = $"No such key: {key}" };
}
