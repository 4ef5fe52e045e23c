using System.Text;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>
/// One test per transcript in testdata/. With RAFT_REWRITE=1 the actual output is written back into the source
/// files instead: review the diff, then commit it.
/// </summary>
public sealed class TranscriptTests
{
    private const string RewriteVariable = "RAFT_REWRITE";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "testdata"), "*.txt").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Transcript(string file)
    {
        var rewrite = Environment.GetEnvironmentVariable(RewriteVariable) == "1";
        // A rewrite starts from the source file, which may be newer than the copy in the build output.
        var path = Path.Combine(rewrite ? SourceDirectory() : AppContext.BaseDirectory, "testdata", file);
        var transcript = TranscriptFile.Parse(File.ReadAllText(path));
        var env = new InteractionEnv();
        var actual = new Dictionary<TranscriptCommand, string>();
        var diff = new StringBuilder();
        foreach (var (command, expected) in transcript.Commands)
        {
            var output = env.Handle(command);
            actual[command] = output;
            if (output != expected) diff.Append(TranscriptDiff.Describe(file, command, expected, output));
        }

        if (rewrite)
        {
            File.WriteAllText(path, transcript.Render(actual));
            return;
        }
        Assert.True(diff.Length == 0, $"{file} differs (rerun with {RewriteVariable}=1 to accept):\n{diff}");
    }

    /// <summary>The test project's source directory: the build output lies below it.</summary>
    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Raft.Core.Tests.csproj"))) return dir.FullName;
        }
        throw new InvalidOperationException("the test project's directory is not above the build output");
    }
}
