using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using VirCommand.Formatting;

namespace VirCommand.Backends.Ssh.Remote;

/// <summary>
/// The one line ssh hands the remote login shell: a POSIX <c>sh</c> wrapper and its arguments, each quoted
/// by the contract's own quoting (<see cref="ShellQuote"/>) so that the remote shell reads every argument
/// back byte for byte. The wrapper does remotely what the POSIX backend's child does between fork and exec,
/// and reports on stderr in lines that start with the run's nonce (<see cref="ReportReader"/>).
/// </summary>
/// <remarks>
/// The wrapper's steps, in order:
/// <list type="number">
/// <item>ssh's stderr moves to fd 3 and the wrapper's own is /dev/null, so the shell's notices (a child
/// "Terminated") never mix into the command's stderr; the reports use fd 3, and the command gets it back as
/// its stderr (moved in the command's own shell: a redirection on the command would hold for the wrapper's
/// notice too).</item>
/// <item>The program is resolved as the contract resolves it on the parent's side, the remote login shell
/// being the parent: a bare name on its PATH, a relative path against its directory (the login directory).
/// None, a missing file, a directory or a file that is not executable reports Resolve with ENOENT or EACCES.</item>
/// <item>Working directory: a failed <c>cd</c> reports stage WorkingDirectory with the errno the reason
/// implies (ENOENT missing, ENOTDIR not a directory, EACCES otherwise).</item>
/// <item>Umask.</item>
/// <item>An explicit environment runs the resolved path through <c>env -i</c> with exactly the listed
/// variables; otherwise the command inherits the login environment. argv[0] is the program as given,
/// except the resolved path for a relative path (the directory changed) and under an explicit environment
/// (env looks a bare name up on the new PATH).</item>
/// <item>The command starts in a new session (<c>setsid</c>), so it leads its own process group, apart from
/// the wrapper: a stop reaches the command (or its group) and leaves the wrapper to report. It reports its
/// pid (the group's id) itself just before exec, so the report is the first thing on stderr of the command's,
/// and writes the nonce on a line of stdout, the last thing before the command's own: what comes before
/// either is the login shell's (its startup files), which the run drops (<see cref="ReportReader"/>,
/// <see cref="CommandOutput"/>).</item>
/// <item>The wrapper waits for it in the foreground (no job control: stdin stays the command's, SIGINT and
/// SIGQUIT stay at their defaults) and reports the shell's status, <c>$?</c>.</item>
/// </list>
/// </remarks>
internal static class RemoteScript
{
    private const string Wrapper = """
        exec 3>&2 2>/dev/null
        n=$1 d=$2 u=$3 o=$4 k=$5; shift 5
        r() { printf '%s %s\n' "$n" "$*" >&3; }
        eval "p=\${$((${k:-0}+1))}"
        case $p in
        /*) f=$p; e=$p ;;
        */*) f=$PWD/$p; e=$f ;;
        *) f=; s=$IFS; IFS=:; set -f
          for x in $PATH; do x=${x:-.}; if [ -f "$x/$p" ] && [ -x "$x/$p" ]; then f=$x/$p; break; fi; done
          IFS=$s; set +f
          [ -n "$f" ] || { r fail Resolve 2 "'$p' is not on the remote PATH"; exit 127; }
          e=$p; [ -z "$k" ] || e=$f ;;
        esac
        if [ ! -e "$f" ]; then r fail Resolve 2; exit 127; fi
        if [ -d "$f" ] || [ ! -x "$f" ]; then r fail Resolve 13; exit 126; fi
        if [ -n "$d" ] && ! cd -- "$d"; then
          if [ ! -e "$d" ]; then r fail WorkingDirectory 2; elif [ ! -d "$d" ]; then r fail WorkingDirectory 20; else r fail WorkingDirectory 13; fi
          exit 127
        fi
        [ -z "$u" ] || umask "$u" || { r fail Umask 22; exit 127; }
        if [ -n "$k" ]; then
          case $e in *=*) r fail Exec 22 "env cannot start a program whose path holds '=': $e"; exit 126 ;; esac
          a='env -i'; i=1; while [ $i -le "$k" ]; do a="$a \"\${$i}\""; i=$((i+1)); done
          a="$a \"\$e\""; i=$((k+2)); while [ $i -le $# ]; do a="$a \"\${$i}\""; i=$((i+1)); done
          eval "set -- $a"
        else
          shift; set -- "$e" "$@"
        fi
        setsid sh -c 'exec 2>&3 3>&-; printf "%s pid %s\n" "$1" "$$" >&2; printf "%s\n" "$1"; o=$2; shift 2; if [ "$o" = 1 ]; then exec "$@" 2>&1; fi; exec "$@"' sh "$n" "$o" "$@"
        r exit $?
        """;

    /// <summary>A nonce no command's output holds by chance: 128 random bits.</summary>
    public static string NewNonce() => "vircommand-ssh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The remote command line that runs <paramref name="plan"/> through the wrapper, reporting with <paramref name="nonce"/>.</summary>
    public static string For(RunPlan plan, string nonce)
    {
        var words = new List<string>
        {
            nonce,
            plan.WorkingDirectory ?? "",
            plan.Umask is { } umask ? Convert.ToString(umask, 8).PadLeft(4, '0') : "",
            plan.MergesOutput ? "1" : "0",
            plan.InheritsEnvironment ? "" : plan.Environment.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (!plan.InheritsEnvironment)
            words.AddRange(plan.Environment.Select(v => $"{v.Name}={v.Value}"));
        words.AddRange(plan.Argv);
        var line = new StringBuilder("exec sh -c ").Append(ShellQuote.Quote(Wrapper.ReplaceLineEndings("\n"))).Append(" sh");
        foreach (var word in words)
            line.Append(' ').Append(ShellQuote.Quote(word));
        return line.ToString();
    }

    /// <summary>The remote command line that sends <paramref name="signal"/> to <paramref name="pid"/>, or to its process group.</summary>
    public static string Kill(int pid, Signal signal, bool toProcessGroup) =>
        string.Create(CultureInfo.InvariantCulture, $"exec kill -s {signal.ToString()[3..]} -- {(toProcessGroup ? "-" : "")}{pid}");
}
