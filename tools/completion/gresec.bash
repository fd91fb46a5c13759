# SPDX-License-Identifier: GPL-2.0
# bash completion for gresec(8): subcommands, gresec tunnels, the options
# of "set" and "sa add" and their fixed values.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): the idiom of
# bash-completion, whose words never hold blanks here

_gresec_devs()
{
	ip -o link show type gresec 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

_gresec()
{
	local cur prev words cword
	_init_completion || return

	local cmds="show dump set sa monitor setconf showconf syncconf help"
	local set_opts="local remote key ikey okey nokey csum icsum ocsum nocsum
		seq iseq oseq noseq ttl tos pmtudisc nopmtudisc mtu protection
		if-id"
	local sa_opts="dir spi proposal key auth-key replay-window esn
		soft-bytes hard-bytes soft-packets hard-packets soft-time
		hard-time reqid mode"
	local proposals="aes128gcm16 aes256gcm16 aes128-sha256 aes256-sha256
		aes128-sha1 aes256-sha1 aes128-md5 chacha20poly1305"

	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds --version" -- "$cur"))
		return
	fi

	case ${words[1]} in
	show)
		case $prev in
		show) COMPREPLY=($(compgen -W "net dev -j --json $(_gresec_devs)" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "-j --json dev $(_gresec_devs)" -- "$cur")) ;;
		esac
		;;
	dump)
		COMPREPLY=($(compgen -W "dev $(_gresec_devs)" -- "$cur"))
		;;
	monitor)
		COMPREPLY=($(compgen -W "-j --json -t --timestamp" -- "$cur"))
		;;
	help)
		[ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		;;
	set)
		if [ "$cword" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_gresec_devs)" -- "$cur"))
			return
		fi
		case $prev in
		local | remote) COMPREPLY=($(compgen -W "any" -- "$cur")) ;;
		ttl | tos) COMPREPLY=($(compgen -W "inherit" -- "$cur")) ;;
		mtu) COMPREPLY=($(compgen -W "auto" -- "$cur")) ;;
		protection) COMPREPLY=($(compgen -W "none required" -- "$cur")) ;;
		key | ikey | okey | if-id) ;;
		*) COMPREPLY=($(compgen -W "$set_opts" -- "$cur")) ;;
		esac
		;;
	sa)
		if [ "$cword" -eq 2 ]; then
			COMPREPLY=($(compgen -W "add del help" -- "$cur"))
			return
		fi
		if [ "$cword" -eq 3 ]; then
			COMPREPLY=($(compgen -W "$(_gresec_devs)" -- "$cur"))
			return
		fi
		case $prev in
		dir) COMPREPLY=($(compgen -W "in out" -- "$cur")) ;;
		proposal) COMPREPLY=($(compgen -W "$proposals" -- "$cur")) ;;
		mode) COMPREPLY=($(compgen -W "transport tunnel" -- "$cur")) ;;
		key | auth-key)
			# A key can come from a file: @FILE, or @- for stdin.
			if [[ $cur == @* ]]; then
				COMPREPLY=($(compgen -f -P @ -- "${cur#@}"))
			fi
			;;
		spi | replay-window | soft-* | hard-* | reqid) ;;
		*)
			if [ "${words[2]}" = del ]; then
				COMPREPLY=($(compgen -W "dir spi" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$sa_opts" -- "$cur"))
			fi
			;;
		esac
		;;
	setconf | syncconf)
		if [ "$cword" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_gresec_devs)" -- "$cur"))
		elif [ "$cword" -eq 3 ]; then
			_filedir
		fi
		;;
	showconf)
		if [ "$cword" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_gresec_devs)" -- "$cur"))
		elif [ "$cword" -eq 3 ]; then
			COMPREPLY=($(compgen -W "keys" -- "$cur"))
		fi
		;;
	esac
} &&
	complete -F _gresec gresec
