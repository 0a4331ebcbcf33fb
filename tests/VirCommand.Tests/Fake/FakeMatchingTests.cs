using VirCommand.Backends.Fake;

namespace VirCommand.Tests.Fake;

public class FakeMatchingTests
{
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task Exact_argv_matches_only_that_argv()
    {
        _fake.Register("git", "status").Returns(FakeResponse.Success("clean"));

        var result = await _fake.RunAsync(Command.NewArgList("git", "status").SetOutputBuffer());

        Assert.Equal("clean", result.StandardOutput);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.NewArgList("git", "status", "-s")));
    }

    [Fact]
    public async Task Program_name_matches_a_program_given_as_a_path()
    {
        _fake.Register("git", "status");

        await _fake.RunAsync(Command.NewArgList("/usr/bin/git", "status"));

        Assert.Equal(1, _fake.CallCount("git", "status"));
    }

    [Fact]
    public async Task CallCount_counts_only_runs_with_exactly_that_argv()
    {
        _fake.RegisterProgram("git");

        await _fake.RunAsync(Command.NewArgList("git", "status"));
        await _fake.RunAsync(Command.NewArgList("/usr/bin/git", "status"));
        await _fake.RunAsync(Command.NewArgList("git", "status", "-s"));
        await _fake.RunAsync(Command.NewArgList("git", "log"));

        Assert.Equal(2, _fake.CallCount("git", "status"));
        Assert.Equal(1, _fake.CallCount("git", "status", "-s"));
        Assert.Equal(0, _fake.CallCount("/opt/git", "status"));
        Assert.Equal(0, _fake.CallCount());
    }

    [Fact]
    public async Task A_program_given_as_a_path_matches_only_that_path()
    {
        _fake.Register("/usr/bin/git", "status");

        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.NewArgList("/opt/git", "status")));
    }

    [Fact]
    public async Task RegisterProgram_matches_any_arguments()
    {
        _fake.RegisterProgram("iptables").Returns(FakeResponse.Exit(0, "ok"));

        var result = await _fake.RunAsync(Command.NewArgList("iptables", "-A", "INPUT", "-j", "DROP").SetOutputBuffer());

        Assert.Equal("ok", result.StandardOutput);
    }

    [Theory]
    [InlineData(new[] { "git", "log", "**" }, new[] { "git", "log" }, true)]
    [InlineData(new[] { "git", "log", "**" }, new[] { "git", "log", "-n", "5" }, true)]
    [InlineData(new[] { "git", "log", "**" }, new[] { "git", "show" }, false)]
    [InlineData(new[] { "git", "**", "--stat" }, new[] { "git", "log", "-1", "--stat" }, true)]
    [InlineData(new[] { "git", "**", "--stat" }, new[] { "git", "log", "--stat", "-1" }, false)]
    [InlineData(new[] { "qemu", "-m", "*" }, new[] { "qemu", "-m", "1024" }, true)]
    [InlineData(new[] { "qemu", "-m", "*" }, new[] { "qemu", "-m" }, false)]
    [InlineData(new[] { "curl", "--output=*.tar" }, new[] { "curl", "--output=a.tar" }, true)]
    [InlineData(new[] { "curl", "--output=*.tar" }, new[] { "curl", "--output=a.zip" }, false)]
    [InlineData(new[] { "ls", "?" }, new[] { "ls", "a" }, true)]
    [InlineData(new[] { "ls", "?" }, new[] { "ls", "ab" }, false)]
    [InlineData(new[] { "ls", "a.b" }, new[] { "ls", "axb" }, false)]
    [InlineData(new[] { "*", "--version" }, new[] { "/usr/sbin/dnsmasq", "--version" }, true)]
    public async Task Patterns_glob_inside_arguments_and_double_star_spans_arguments(string[] pattern, string[] argv, bool matches)
    {
        _fake.RegisterPattern(pattern);

        var run = _fake.RunAsync(Command.NewArgs(argv));

        if (matches)
            await run;
        else
            await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => run);
    }

    [Fact]
    public async Task Predicate_sees_the_whole_invocation()
    {
        _fake.Register(i => i.GetEnvironmentVariable("LC_ALL") == "C", "runs with LC_ALL=C").Returns(FakeResponse.Success("C locale"));

        var result = await _fake.RunAsync(Command.New("date").AddEnvPair("LC_ALL", "C").SetOutputBuffer());

        Assert.Equal("C locale", result.StandardOutput);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("date").AddEnvPair("LC_ALL", "de_DE")));
    }

    [Fact]
    public async Task The_latest_matching_registration_wins()
    {
        _fake.RegisterProgram("git").Returns(FakeResponse.Success("general"));
        _fake.Register("git", "push").Returns(FakeResponse.Exit(1, standardError: "rejected"));

        var general = await _fake.RunAsync(Command.NewArgList("git", "fetch").SetOutputBuffer());
        var push = await Assert.ThrowsAsync<CommandExitException>(() => _fake.RunAsync(Command.NewArgList("git", "push")));

        Assert.Equal("general", general.StandardOutput);
        Assert.Equal(1, push.ExitCode);
    }

    [Fact]
    public async Task Times_limits_a_registration_and_then_falls_through()
    {
        var fallback = _fake.RegisterProgram("curl").Returns(FakeResponse.Success("fallback"));
        var limited = _fake.RegisterProgram("curl").Returns(FakeResponse.Exit(7)).Times(2);
        var command = Command.New("curl").AllowNonZeroExit().SetOutputBuffer();

        var codes = new List<int?>();
        for (var i = 0; i < 3; i++)
            codes.Add((await _fake.RunAsync(command)).ExitCode);

        Assert.Equal([7, 7, 0], codes);
        Assert.Equal((2, (int?)2), (limited.CallCount, limited.ExpectedCalls));
        Assert.Equal((1, (int?)null), (fallback.CallCount, fallback.ExpectedCalls));
        Assert.Equal("curl (any arguments)", fallback.Description);
    }

    [Fact]
    public async Task A_sequence_of_responses_answers_in_order_then_repeats_the_last()
    {
        _fake.Register("poll").Returns(FakeResponse.Success("pending"), FakeResponse.Success("done"));
        var command = Command.New("poll").SetOutputBuffer();

        var outputs = new List<string>();
        for (var i = 0; i < 3; i++)
            outputs.Add((await _fake.RunAsync(command)).StandardOutput);

        Assert.Equal(["pending", "done", "done"], outputs);
    }

    [Fact]
    public async Task Strict_mode_lists_what_is_registered()
    {
        _fake.Register("git", "status");
        _fake.RegisterProgram("curl").Once();
        _fake.RegisterPattern("ls", "**");

        var error = await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.NewArgList("rm", "-rf", "/")));

        Assert.Equal("rm -rf /", error.CommandLine);
        Assert.Contains("No fake registration matches: rm -rf /", error.Message, StringComparison.Ordinal);
        Assert.Contains("git status (called 0 times)", error.Message, StringComparison.Ordinal);
        Assert.Contains("curl (any arguments) (called 0 times of 1 expected)", error.Message, StringComparison.Ordinal);
        Assert.Contains("ls ** (pattern)", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Invocations);
    }

    [Fact]
    public async Task Strict_mode_with_nothing_registered_says_so()
    {
        var error = await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("true")));

        Assert.Contains("Nothing is registered.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowUnregistered_answers_with_the_unregistered_response()
    {
        _fake.AllowUnregistered = true;
        _fake.UnregisteredResponse = FakeResponse.Success("anything");

        var result = await _fake.RunAsync(Command.New("whatever").SetOutputBuffer());

        Assert.Equal("anything", result.StandardOutput);
        Assert.Single(_fake.Invocations);
    }

    [Fact]
    public async Task VerifyAllCalled_reports_unused_and_miscounted_registrations()
    {
        _fake.Register("a");
        _fake.Register("b").Times(2);
        _fake.Register("c");
        await _fake.RunAsync(Command.New("a"));
        await _fake.RunAsync(Command.New("b"));

        var error = Assert.Throws<InvalidOperationException>(_fake.VerifyAllCalled);

        Assert.Contains("b (called 1 time of 2 expected)", error.Message, StringComparison.Ordinal);
        Assert.Contains("c (called 0 times)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("  a (", error.Message, StringComparison.Ordinal);

        await _fake.RunAsync(Command.New("b"));
        await _fake.RunAsync(Command.New("c"));
        _fake.VerifyAllCalled();
    }

    [Fact]
    public async Task Reset_forgets_registrations_and_runs()
    {
        _fake.Register("a");
        await _fake.RunAsync(Command.New("a"));

        _fake.Reset();

        Assert.Empty(_fake.Invocations);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("a")));
    }

    [Fact]
    public void Registration_arguments_are_checked()
    {
        Assert.Throws<ArgumentException>(() => _fake.Register());
        Assert.Throws<ArgumentException>(() => _fake.RegisterProgram(""));
        Assert.Throws<ArgumentException>(() => _fake.RegisterPattern());
        Assert.Throws<ArgumentException>(() => _fake.Register(_ => true, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => _fake.Register("a").Times(0));
        Assert.Throws<ArgumentException>(() => _fake.Register("a").Returns(Array.Empty<FakeResponse>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.Exit(256));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.StartFailure(StartStage.None, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.Success().WithDelay(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task A_double_star_in_the_programs_place_matches_every_command_as_pytest_subprocess_any_does()
    {
        _fake.RegisterPattern("**").Returns(FakeResponse.Success("anything"));

        foreach (var command in new[] { Command.New("git").AddArg("status"), Command.New("/usr/bin/ls").AddArgList("-l", "/"), Command.New("tool") })
            Assert.Equal("anything", (await _fake.RunAsync(command.SetOutputBuffer())).StandardOutput);
    }

    [Fact]
    public async Task A_double_star_before_an_argument_spans_the_program_and_what_comes_before_it()
    {
        _fake.RegisterPattern("**", "--version").Returns(FakeResponse.Success("1.0"));

        Assert.Equal("1.0", (await _fake.RunAsync(Command.New("/opt/x/bin/tool").AddArg("--version").SetOutputBuffer())).StandardOutput);
        Assert.Equal("1.0", (await _fake.RunAsync(Command.New("git").AddArgList("-C", "/repo", "--version").SetOutputBuffer())).StandardOutput);
        await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("git").AddArgList("--version", "x")));
    }

    [Theory]
    [InlineData("NUL")]
    [InlineData("lone surrogate")]
    public async Task A_registration_no_command_could_match_is_refused_where_it_is_made(string what)
    {
        // Built here: a test attribute cannot carry a lone surrogate.
        var bad = what == "NUL" ? "to\0ol" : "tool" + '\uD800';

        foreach (var register in new Action[]
                 {
                     () => _fake.Register(bad), () => _fake.Register("tool", bad), () => _fake.RegisterPattern(bad, "**"),
                     () => _fake.RegisterPattern("tool", bad), () => _fake.RegisterProgram(bad),
                 })
        {
            var error = Assert.ThrowsAny<ArgumentException>(register);
            Assert.StartsWith("No command could ever match this registration", error.Message, StringComparison.Ordinal);
        }
        var unmatched = await Assert.ThrowsAsync<FakeCommandNotRegisteredException>(() => _fake.RunAsync(Command.New("tool")));
        Assert.Contains("Nothing is registered.", unmatched.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_program_is_refused_and_an_empty_argument_is_not()
    {
        Assert.StartsWith("No command could ever match", Assert.ThrowsAny<ArgumentException>(() => _fake.Register("")).Message, StringComparison.Ordinal);
        Assert.StartsWith("No command could ever match", Assert.ThrowsAny<ArgumentException>(() => _fake.RegisterPattern("", "**")).Message, StringComparison.Ordinal);
        _fake.Register("tool", ""); // a real empty argument
    }

    [Fact]
    public void A_null_element_is_refused_too()
    {
        Assert.Equal("argv", Assert.ThrowsAny<ArgumentException>(() => _fake.Register("tool", null!)).ParamName);
        Assert.Equal("pattern", Assert.ThrowsAny<ArgumentException>(() => _fake.RegisterPattern("tool", null!)).ParamName);
    }
}
