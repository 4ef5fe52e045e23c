namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>The transcript format itself: parsing, rewriting, and the diff a failing transcript shows.</summary>
public sealed class TranscriptFileTests
{
    private const string Text = "# a comment\nadd-nodes 3 prevote=false\n----\nold output\n\n# another\n\nstatus 1\n----\nok\n\n";

    [Fact]
    public void A_file_renders_back_unchanged_when_the_output_is_the_same()
    {
        var file = TranscriptFile.Parse(Text);

        var commands = file.Commands.ToList();
        Assert.Equal(["add-nodes", "status"], commands.Select(c => c.Command.Name));
        Assert.Equal("false", commands[0].Command.Options["prevote"]);
        Assert.Equal(["3"], commands[0].Command.Args);
        Assert.Equal(Text, file.Render(new Dictionary<TranscriptCommand, string>()));
    }

    [Fact]
    public void A_rewrite_replaces_only_the_output_and_keeps_the_comments()
    {
        var file = TranscriptFile.Parse(Text);
        var first = file.Commands.First().Command;

        var rewritten = file.Render(new Dictionary<TranscriptCommand, string> { [first] = "new\noutput" });

        Assert.Equal(Text.Replace("old output", "new\noutput"), rewritten);
    }

    [Fact]
    public void A_proposal_keeps_its_key_value_as_an_argument()
    {
        var c = TranscriptCommand.Parse("propose 1 x=old", 7);

        Assert.Equal(["1", "x=old"], c.Args);
        Assert.Empty(c.Options);
    }

    [Fact]
    public void A_mismatch_shows_the_command_and_marks_the_lines_that_differ()
    {
        var command = TranscriptCommand.Parse("status 1", 12);

        var diff = TranscriptDiff.Describe("x.txt", command, "same\nexpected", "same\nactual");

        Assert.Equal("x.txt:12: status 1\n    same\n  - expected\n  + actual\n", diff);
    }

    [Fact]
    public void An_unknown_command_is_an_error_not_an_output()
    {
        var env = new InteractionEnv();

        Assert.Throws<InvalidOperationException>(() => env.Handle(TranscriptCommand.Parse("frobnicate", 1)));
    }
}
