using System.Text;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>A command's expected and actual output, line by line: "-" expected only, "+" actual only.</summary>
public static class TranscriptDiff
{
    public static string Describe(string file, TranscriptCommand command, string expected, string actual)
    {
        var sb = new StringBuilder();
        sb.Append($"{file}:{command.Line}: {command.Name} {string.Join(' ', command.Args)}\n");
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : null;
            var al = i < a.Length ? a[i] : null;
            if (el == al) sb.Append($"    {el}\n");
            else
            {
                if (el is not null) sb.Append($"  - {el}\n");
                if (al is not null) sb.Append($"  + {al}\n");
            }
        }
        return sb.ToString();
    }
}
