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
/// <item>A script's interpreter: the exec would fail with ENOENT (missing) or EACCES (a directory, not
/// executable) for the <c>#!</c> line's interpreter, which the remote shell would turn into its own exit
/// 127 or 126, like the command's own: it is checked here, after the <c>cd</c> (a relative interpreter is
/// relative to the new directory, as for the kernel), and reported as stage Exec. Only the first 256 bytes
/// are read (the kernel's limit too), through <c>dd</c>: the shell's <c>read</c> would go byte by byte
/// through a binary without a newline.</item>
/// <item>An explicit environment runs the resolved path through <c>env -i</c> with exactly the listed
/// variables; otherwise the command inherits the login environment. argv[0] is the program as given,
/// except the resolved path for a relative path (the directory changed) and under an explicit environment
/// (env looks a bare name up on the new PATH).</item>
/// <item>The command starts in a new session, or with NewProcessGroup a new process group in the session
/// sshd made for the run, so it leads its own process group, apart from the wrapper: a stop reaches the
/// command (or its group) and leaves the wrapper to report. It reports its pid (the group's id) itself just
/// before exec, so the report is the first thing on stderr of the command's, and writes the nonce on a line
/// of stdout, the last thing before the command's own: what comes before either is the login shell's (its
/// startup files), which the run drops (<see cref="ReportReader"/>, <see cref="CommandOutput"/>). A failed
/// write of either (nobody reads: the start was given up) ends it before the exec.</item>
/// <item>The wrapper waits for it in the foreground (no job control: stdin stays the command's, SIGINT and
/// SIGQUIT stay at their defaults). Through perl where the host has it: perl forks, the child calls
/// setsid (or setpgid) and execs the command's shell, and perl reports <c>waitpid</c>'s raw status
/// (<c>wait</c>), which tells a death by signal N from <c>exit 128+N</c>. perl opens no fd before the fork
/// and sets no signal action, so the command gets what the shell would have given it. Without perl:
/// <c>setsid</c> and the shell's <c>$?</c> (<c>exit</c>), in which the two read alike, and a run that
/// needs the raw status or a process group is refused (<c>unsupported</c>) before anything starts.
/// (/proc's exit_code of an unreaped zombie would need a parent that does not reap and a way to learn
/// of the death without polling, which a POSIX shell lacks.)</item>
/// </list>
/// </remarks>
internal static class RemoteScript
{
    private const string Wrapper = """
        exec 3>&2 2>/dev/null
        n=$1 d=$2 u=$3 o=$4 g=$5 w=$6 k=$7; shift 7
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
        if [ -r "$f" ]; then
          i=$(dd if="$f" bs=256 count=1 2>/dev/null | { IFS= read -r l; case $l in '#!'*) l=${l#??}; l=${l#"${l%%[! 	]*}"}; printf %s "${l%%[ 	]*}" ;; esac; })
          if [ -n "$i" ]; then
            if [ ! -e "$i" ]; then r fail Exec 2 "the script's interpreter '$i' does not exist"; exit 127; fi
            if [ -d "$i" ] || [ ! -x "$i" ]; then r fail Exec 13 "the script's interpreter '$i' is not an executable file"; exit 126; fi
          fi
        fi
        if [ -n "$k" ]; then
          case $e in *=*) r fail Exec 22 "env cannot start a program whose path holds '=': $e"; exit 126 ;; esac
          a='env -i'; i=1; while [ $i -le "$k" ]; do a="$a \"\${$i}\""; i=$((i+1)); done
          a="$a \"\$e\""; i=$((k+2)); while [ $i -le $# ]; do a="$a \"\${$i}\""; i=$((i+1)); done
          eval "set -- $a"
        else
          shift; set -- "$e" "$@"
        fi
        c='exec 2>&3 3>&-; printf "%s pid %s\n" "$1" "$$" >&2 && printf "%s\n" "$1" || exit 125; o=$2; shift 2; if [ "$o" = 1 ]; then exec "$@" 2>&1; fi; exec "$@"'
        if command -v perl >/dev/null; then
          exec perl -e '($n, $g) = splice @ARGV, 0, 2; $p = fork;
            if (!defined $p) { $e = $! + 0; open R, ">&=3"; print R "$n fail Fork $e\n"; exit 126 }
            if (!$p) { if ($g) { setpgrp 0, 0 } else { require POSIX; POSIX::setsid() } exec { $ARGV[0] } @ARGV; exit 127 }
            waitpid $p, 0; open R, ">&=3"; print R "$n wait $?\n"' "$n" "$g" sh -c "$c" sh "$n" "$o" "$@"
        fi
        [ -z "$w" ] || { r unsupported "$w" "the remote host has no perl, which the wrapper needs to tell a death by signal from an exit and to start a process group"; exit 127; }
        setsid sh -c "$c" sh "$n" "$o" "$@"
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
            plan.StartsNewProcessGroup && !plan.StartsNewSession ? "1" : "",
            plan.ReturnsRawStatus ? nameof(CommandFeatures.RawStatus) : plan.StartsNewProcessGroup && !plan.StartsNewSession ? nameof(CommandFeatures.NewProcessGroup) : "",
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
