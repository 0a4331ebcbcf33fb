using System.Text;

namespace VirCommand.Tests.Building;

public sealed class StdioTests
{
    private static readonly Dictionary<string, Func<Command, Command>> Setters = new(StringComparer.Ordinal)
    {
        ["InputBuffer"] = c => c.SetInputBuffer(new byte[] { 1, 0, 2 }),
        ["InputText"] = c => c.SetInputBuffer("text"),
        ["InputFd"] = c => c.SetInputFd(5),
        ["InputPipe"] = c => c.SetInputPipe(),
        ["OutputBuffer"] = c => c.SetOutputBuffer(),
        ["OutputFd"] = c => c.SetOutputFd(6),
        ["OutputPipe"] = c => c.SetOutputPipe(),
        ["MergedBuffer"] = c => c.SetMergedOutputBuffer(),
        ["MergedPipe"] = c => c.SetMergedOutputPipe(),
        ["ErrorBuffer"] = c => c.SetErrorBuffer(),
        ["ErrorFd"] = c => c.SetErrorFd(7),
        ["ErrorPipe"] = c => c.SetErrorPipe(),
        ["InputFile"] = c => c.SetInputFile("/in"),
        ["InputStream"] = c => c.SetInputStream(Stream.Null),
        ["InputReader"] = c => c.SetInputSource(System.IO.Pipelines.PipeReader.Create(Stream.Null)),
        ["InputChunks"] = c => c.SetInputSource(AsyncEnumerable.Empty<ReadOnlyMemory<byte>>()),
        ["OutputFile"] = c => c.SetOutputFile("/out", append: true),
        ["OutputStream"] = c => c.SetOutputStream(Stream.Null, capture: true),
        ["ErrorFile"] = c => c.SetErrorFile("/err"),
        ["ErrorStream"] = c => c.SetErrorStream(Stream.Null),
        ["MergedFile"] = c => c.SetMergedOutputFile("/log"),
        ["MergedStream"] = c => c.SetMergedOutputStream(Stream.Null),
    };

    private static readonly string[] InputSetters = ["InputBuffer", "InputText", "InputFd", "InputPipe", "InputFile", "InputStream", "InputReader", "InputChunks"];
    private static readonly string[] OutputSetters = ["OutputBuffer", "OutputFd", "OutputPipe", "MergedBuffer", "MergedPipe", "OutputFile", "OutputStream", "MergedFile", "MergedStream"];
    private static readonly string[] MergedSetters = ["MergedBuffer", "MergedPipe", "MergedFile", "MergedStream"];
    private static readonly string[] ErrorSetters = ["ErrorBuffer", "ErrorFd", "ErrorPipe", "ErrorFile", "ErrorStream"];

    public static TheoryData<string, string, string> SetTwice()
    {
        var data = new TheoryData<string, string, string>();
        void AddPairs(string[] firsts, string[] seconds, string stream)
        {
            foreach (var first in firsts)
                foreach (var second in seconds)
                    data.Add(first, second, stream);
        }

        AddPairs(InputSetters, InputSetters, "stdin");
        AddPairs(OutputSetters, OutputSetters, "stdout");
        AddPairs(ErrorSetters, ErrorSetters, "stderr");
        AddPairs(ErrorSetters, MergedSetters, "stderr");
        AddPairs(MergedSetters, ErrorSetters, "stderr");
        return data;
    }

    [Theory]
    [MemberData(nameof(SetTwice))]
    public void StreamSetTwice_ThrowsNamingTheStreamAndKeepsTheFirst(string first, string second, string stream)
    {
        var command = Setters[first](new Command("prog"));
        var before = (command.Input, command.Output, command.Error, command.MergesOutput);

        var ex = Assert.Throws<InvalidOperationException>(() => Setters[second](command));

        Assert.Contains(stream, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, (command.Input, command.Output, command.Error, command.MergesOutput));
    }

    [Fact]
    public void NewCommand_AllStreamsAreDevNull()
    {
        var command = new Command("prog");

        Assert.Equal(StdioTarget.Null, command.Input);
        Assert.Equal(StdioTarget.Null, command.Output);
        Assert.Equal(StdioTarget.Null, command.Error);
        Assert.Equal(StdioKind.Null, command.Input.Kind);
        Assert.False(command.MergesOutput);
    }

    [Fact]
    public void OneSetterPerStream_AreIndependent()
    {
        var command = new Command("prog").SetInputPipe().SetOutputBuffer().SetErrorFd(9);

        Assert.Equal(StdioKind.Pipe, command.Input.Kind);
        Assert.Equal(StdioKind.Buffer, command.Output.Kind);
        Assert.Equal(new StdioTarget(StdioKind.Fd, 9), command.Error);
        Assert.False(command.MergesOutput);
    }

    [Fact]
    public void SetInputBuffer_Bytes_KeepsNulBytesAndCopiesTheData()
    {
        var data = new byte[] { 0x41, 0x00, 0x42 };
        var command = new Command("prog").SetInputBuffer(data);

        data[0] = 0xFF;

        Assert.Equal(StdioKind.Buffer, command.Input.Kind);
        Assert.Equal(new byte[] { 0x41, 0x00, 0x42 }, command.Input.Input.ToArray());
    }

    [Fact]
    public void SetInputBuffer_Text_IsUtf8()
    {
        var command = new Command("prog").SetInputBuffer("é\0x");

        Assert.Equal(Encoding.UTF8.GetBytes("é\0x"), command.Input.Input.ToArray());
        Assert.Equal(new byte[] { 0xC3, 0xA9, 0x00, 0x78 }, command.Input.Input.ToArray());
    }

    [Fact]
    public void SetInputBuffer_NullText_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new Command("prog").SetInputBuffer((string)null!));
    }

    [Fact]
    public void SetInputFd_RecordsCallerFd()
    {
        var command = new Command("prog").SetInputFd(0);

        Assert.Equal(new StdioTarget(StdioKind.Fd, 0), command.Input);
    }

    [Fact]
    public void SetOutputFdAndErrorFd_SameFd_RecordsBoth()
    {
        var command = new Command("prog").SetOutputFd(8).SetErrorFd(8);

        Assert.Equal(new StdioTarget(StdioKind.Fd, 8), command.Output);
        Assert.Equal(new StdioTarget(StdioKind.Fd, 8), command.Error);
    }

    [Fact]
    public void SetMergedOutputPipe_SetsStdoutAndStderrToOnePipe()
    {
        var command = new Command("prog").SetMergedOutputPipe();

        Assert.True(command.MergesOutput);
        Assert.Equal(StdioKind.Pipe, command.Output.Kind);
        Assert.Equal(command.Output, command.Error);
    }

    [Fact]
    public void SetMergedOutputBuffer_SetsStdoutAndStderrToOneCapture()
    {
        var command = new Command("prog").SetMergedOutputBuffer();

        Assert.True(command.MergesOutput);
        Assert.Equal(StdioKind.Buffer, command.Output.Kind);
        Assert.Equal(command.Output, command.Error);
    }

    [Fact]
    public void SetOutputBufferAndErrorBuffer_AreSeparateCaptures()
    {
        var command = new Command("prog").SetOutputBuffer().SetErrorBuffer();

        Assert.Equal(StdioKind.Buffer, command.Output.Kind);
        Assert.Equal(StdioKind.Buffer, command.Error.Kind);
        Assert.False(command.MergesOutput);
    }

    public static TheoryData<string> FdSetters => ["Input", "Output", "Error"];

    [Theory]
    [MemberData(nameof(FdSetters))]
    public void SetStreamFd_NegativeFd_Throws(string stream)
    {
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => stream switch
        {
            "Input" => command.SetInputFd(-1),
            "Output" => command.SetOutputFd(-1),
            _ => command.SetErrorFd(-1),
        });

        Assert.Equal("fd", ex.ParamName);
        Assert.Equal(StdioTarget.Null, command.Input);
        Assert.Equal(StdioTarget.Null, command.Output);
        Assert.Equal(StdioTarget.Null, command.Error);
    }

    [Theory]
    [MemberData(nameof(FdSetters))]
    public void SetStreamFd_SafeHandle_RecordsItsFd(string stream)
    {
        using var file = new TempFile();
        var command = new Command("prog");

        var target = stream switch
        {
            "Input" => command.SetInputFd(file.Handle).Input,
            "Output" => command.SetOutputFd(file.Handle).Output,
            _ => command.SetErrorFd(file.Handle).Error,
        };

        Assert.Equal(new StdioTarget(StdioKind.Fd, file.Fd), target);
    }

    [Theory]
    [MemberData(nameof(FdSetters))]
    public void SetStreamFd_ClosedSafeHandle_Throws(string stream)
    {
        var file = new TempFile();
        file.Dispose();
        var command = new Command("prog");

        var ex = Assert.Throws<ArgumentException>(() => stream switch
        {
            "Input" => command.SetInputFd(file.Handle),
            "Output" => command.SetOutputFd(file.Handle),
            _ => command.SetErrorFd(file.Handle),
        });

        Assert.Equal("handle", ex.ParamName);
    }

    [Fact]
    public void Dispose_CallerStdioHandle_IsNeverClosed()
    {
        using var file = new TempFile();
        var command = new Command("prog").SetInputFd(file.Handle);

        command.Dispose();

        Assert.False(file.Handle.IsClosed);
        Assert.True(file.FdStillRefersToFile(file.Fd));
    }
}
