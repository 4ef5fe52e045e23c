using System.Text;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>A command's expected and actual output: the common head and tail, and between them "-" expected, "+" actual.</summary>
public static class TranscriptDiff
{
    public static string Describe(string file, TranscriptCommand command, string expected, string actual)
    {
        var sb = new StringBuilder();
        sb.Append($"{file}:{command.Line}: {command.Name} {string.Join(' ', command.Args)}".TrimEnd()).Append('\n');
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var head = 0;
        while (head < e.Length && head < a.Length && e[head] == a[head]) head++;
        var tail = 0;
        while (tail < e.Length - head && tail < a.Length - head && e[^(tail + 1)] == a[^(tail + 1)]) tail++;
        foreach (var line in e[..head]) sb.Append($"    {line}\n");
        foreach (var line in e[head..^tail]) sb.Append($"  - {line}\n");
        foreach (var line in a[head..^tail]) sb.Append($"  + {line}\n");
        foreach (var line in e[^tail..]) sb.Append($"    {line}\n");
        return sb.ToString();
    }
}
