using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class CasVerb : IVerb
{
    public int Order => 40;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var values = new Argument<string[]>("EXPECTED NEW")
        {
            Description = "Set KEY to NEW only if it holds EXPECTED; with --absent, give NEW alone",
            Arity = new ArgumentArity(1, 2),
        };
        var absent = new Option<bool>("--absent") { Description = "Set KEY to NEW only if it does not exist" };
        var command = new Command("cas", "Compare and set: set KEY to NEW only if it holds EXPECTED (or, with --absent, does not exist)") { key, values, absent };
        command.Validators.Add(r =>
        {
            var count = r.GetValue(values)?.Length ?? 0;
            var wanted = r.GetValue(absent) ? 1 : 2;
            if (count != wanted) r.AddError(r.GetValue(absent) ? "cas --absent takes KEY NEW" : "cas takes KEY EXPECTED NEW (or --absent KEY NEW)");
        });
        command.SetAction(r =>
        {
            var v = r.GetValue(values)!;
            var request = r.GetValue(absent) ? KvRequest.CompareAndSet(r.GetValue(key)!, null, v[0]) : KvRequest.CompareAndSet(r.GetValue(key)!, v[0], v[1]);
            return KeyRequests.RunAsync(context, r, request);
        });
        return command;
    }
}
