using System.CommandLine;
using System.Globalization;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'lease grant|keepalive|revoke|list|ttl': leases, whose keys go when they expire or are revoked.</summary>
public sealed class LeaseVerb : IVerb
{
    public int Order => 47;

    public Command Create(ClientContext context)
    {
        var io = context.IO;

        var ttl = Numbers.Argument("TTL", "Seconds the lease lives without a keep-alive", 1, 2592000, "s");
        var groupKey = new Option<string?>("--key") { Description = "A key of the group to grant it in, in a store of several groups: the lease can hold only that group's keys", HelpName = "K" };
        var grant = new Command("grant", "Grant a lease of TTL seconds; prints its id alone") { ttl, groupKey };
        grant.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            await io.Out.WriteLineAsync((await store.GrantLeaseAsync(TimeSpan.FromSeconds(r.GetValue(ttl)), r.GetValue(groupKey), ct)).ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Ok;
        }));

        var keepId = StoreRequests.LeaseId();
        var once = new Option<bool>("--once") { Description = "Renew once and exit" };
        var keepalive = new Command("keepalive", "Renew the lease every third of its TTL until Ctrl+C, printing the time it has left") { keepId, once };
        keepalive.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            var id = r.GetValue(keepId);
            while (true)
            {
                var lease = await store.KeepAliveAsync(id, ct);
                await io.Out.WriteLineAsync($"lease {id} keepalive ttl={StoreRequests.Seconds(lease.Remaining ?? lease.Ttl)}");
                await io.Out.FlushAsync(ct);
                if (r.GetValue(once)) return ExitCodes.Ok;
                await Task.Delay(lease.Ttl / 3, ct);
            }
        }));

        var revokeId = StoreRequests.LeaseId();
        var revoke = new Command("revoke", "Revoke the lease: its keys are deleted") { revokeId };
        revoke.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            await store.RevokeLeaseAsync(r.GetValue(revokeId), ct);
            await io.Out.WriteLineAsync($"lease {r.GetValue(revokeId)} revoked");
            return ExitCodes.Ok;
        }));

        var list = new Command("list", "Every lease: 'ID ttl=S keys=N', one a line");
        list.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            foreach (var lease in (await store.ListLeasesAsync(ct)).OrderBy(l => l.Id))
                await io.Out.WriteLineAsync($"{lease.Id} ttl={StoreRequests.Seconds(lease.Ttl)} keys={lease.Keys.Length}");
            return ExitCodes.Ok;
        }));

        var ttlId = StoreRequests.LeaseId();
        var timeToLive = new Command("ttl", "The lease's granted TTL, the time it has left at the leader, and its keys") { ttlId };
        timeToLive.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            var lease = await store.GetLeaseAsync(r.GetValue(ttlId), ct);
            var remaining = lease.Remaining is { } left ? StoreRequests.Seconds(left) : "-";
            await io.Out.WriteLineAsync($"lease {lease.Id} ttl={StoreRequests.Seconds(lease.Ttl)} remaining={remaining} keys={string.Join(',', lease.Keys)}");
            return ExitCodes.Ok;
        }));

        return new Command("lease", "Leases: keys attached to one are deleted when it expires or is revoked") { grant, keepalive, revoke, list, timeToLive };
    }
}
