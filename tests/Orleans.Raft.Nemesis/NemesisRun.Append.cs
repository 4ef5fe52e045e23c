using System.Collections.Concurrent;
using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// The list-append workload: clients append unique elements to list keys l0.. with exactly-once sessions and read
/// whole lists; <see cref="ListAppendChecker"/> checks it without a search. The keys move on (l0-l3, then l4-l7, ...)
/// every <see cref="AppendsPerWindow"/> appends, so that lists, and so reads, stay short.
/// </summary>
public sealed partial class NemesisRun
{
    private const int ListKeys = 4;
    private const int AppendsPerWindow = 400;
    private const char Separator = ',';

    private readonly ConcurrentQueue<AppendOp> _appends = new();
    private int _appendsIssued;

    private bool RunsRegister => options.Workload != Workload.Append;

    private bool RunsAppend => options.Workload != Workload.Register;

    private async Task AppendClientAsync(int client, CancellationToken stop)
    {
        // Apart from the register clients' seeds: adding this workload changes none of their choices.
        var random = new Random(unchecked((options.Seed * 31) + 1000 + client));
        var sessions = new Dictionary<string, (long Session, long Sequence)>();
        var seq = 0;
        while (!stop.IsCancellationRequested)
        {
            var window = Volatile.Read(ref _appendsIssued) / AppendsPerWindow;
            var key = $"l{(window * ListKeys) + random.Next(ListKeys)}";
            var group = _shards.GroupOf(key);
            if (random.Next(100) < 40)
            {
                await ExecuteListAsync(client, KvRequest.Get(key), key, null, resend: false);
            }
            else
            {
                var (session, sequence) = sessions.GetValueOrDefault(group);
                if (session == 0)
                {
                    (session, sequence) = (await OpenSessionAsync(group, stop), 0);
                    if (session == 0) break;
                }
                var element = $"a{client}-{++seq}";
                var request = KvRequest.Append(key, element + Separator) with { SessionId = session, Sequence = ++sequence, AckedBelow = sequence };
                sessions[group] = (session, sequence);
                Interlocked.Increment(ref _appendsIssued);
                var response = await ExecuteListAsync(client, request, key, element, resend: random.NextDouble() < options.ResendRate);
                if (response?.Status == KvStatus.SessionExpired) sessions.Remove(group);
            }
            await Task.Delay(random.Next(0, 15), CancellationToken.None);
        }
    }

    private async Task<KvResponse?> ExecuteListAsync(int client, KvRequest request, string key, string? element, bool resend)
    {
        var id = Interlocked.Increment(ref _nextId);
        var (invoke, response, complete) = await SendAsync(key, request, resend);
        var read = element is null;
        var status = response?.Status switch
        {
            KvStatus.Ok => OpStatus.Ok,
            KvStatus.NotFound when read => OpStatus.Ok,
            KvStatus.NotLeader or KvStatus.InvalidRequest or KvStatus.Overloaded => OpStatus.Failed,
            _ => OpStatus.Unknown,
        };
        _appends.Enqueue(new AppendOp
        {
            Id = id,
            Client = client,
            Key = key,
            Kind = read ? AppendOpKind.Read : AppendOpKind.Append,
            Element = element,
            Invoke = invoke,
            Complete = complete,
            Status = status,
            List = read && status == OpStatus.Ok ? (response?.Value ?? "").Split(Separator, StringSplitOptions.RemoveEmptyEntries) : null,
        });
        return response;
    }

    /// <summary>Changes of list keys: the list-append check holds them, not the watch check, which follows the register workload.</summary>
    private static bool IsListKey(string key) => key.Length > 1 && key[0] == 'l' && char.IsAsciiDigit(key[1]);
}
