# SPDX-License-Identifier: GPL-2.0
#
# ESP helpers for tests: the proposals gresec offers, random keys of the
# right length, and the same SA expressed for `ip xfrm state` (the native
# peer) and for tshark's ESP decryption table.

PROPOSALS="aes128gcm16 aes256gcm16 aes128-sha256 aes256-sha256 aes128-sha1 aes256-sha1 aes128-md5 chacha20poly1305"
# Every proposal, plus ESN on each of its two code paths: AEAD (GCM,
# ChaCha20-Poly1305: the high bits in the AAD) and authencesn (CBC+HMAC).
ESP_COMBOS="aes128gcm16/ aes128gcm16/esn aes256gcm16/ aes128-sha256/ aes128-sha256/esn
 aes256-sha256/ aes128-sha1/ aes256-sha1/ aes128-md5/ chacha20poly1305/ chacha20poly1305/esn"
# One of each code path (debug_lane): GCM, AEAD with ESN (seq-hi in the
# AAD), authenc with a 96-bit ICV, authencesn, ChaCha20-Poly1305.
if debug_lane; then
	ESP_COMBOS="aes128gcm16/ aes128gcm16/esn aes128-sha1/ aes128-sha256/esn chacha20poly1305/"
fi

hexkey() {
	head -c "$1" /dev/urandom | od -An -tx1 -v | tr -d ' \n'
}

# prop_lengths NAME: "KEYBYTES AUTHBYTES"
prop_lengths() {
	case $1 in
	aes128gcm16) echo "20 0" ;;
	aes256gcm16 | chacha20poly1305) echo "36 0" ;;
	aes128-sha256) echo "16 32" ;;
	aes256-sha256) echo "32 32" ;;
	aes128-sha1) echo "16 20" ;;
	aes256-sha1) echo "32 20" ;;
	aes128-md5) echo "16 16" ;;
	*) return 1 ;;
	esac
}

# new_keys NAME: sets KEY and AUTH (empty for AEAD proposals)
new_keys() {
	local kl al
	read -r kl al <<< "$(prop_lengths "$1")"
	KEY=$(hexkey "$kl")
	AUTH=""
	[ "$al" -gt 0 ] && AUTH=$(hexkey "$al")
	return 0
}

# sa_pair_add PROP SPI12 SPI21: fresh keys K12 (and auth-key A12 for
# CBC+HMAC proposals; ns1 -> ns2, SPI12) and K21, A21 (back, SPI21), and
# the four SAs for them on the gs0 of netns_pair_setup.
sa_pair_add() {
	local a12 a21
	new_keys "$1"
	K12=$KEY A12=$AUTH
	new_keys "$1"
	K21=$KEY A21=$AUTH
	read -r -a a12 <<< "$(gresec_sa_args "$1" "$K12" "$A12")"
	read -r -a a21 <<< "$(gresec_sa_args "$1" "$K21" "$A21")"
	# Inbound first (see 30-esp-netns): no packet leaves on an SA that
	# its peer cannot count yet.
	n ns2 gresec sa add gs0 dir in spi "$2" "${a12[@]}"
	n ns1 gresec sa add gs0 dir in spi "$3" "${a21[@]}"
	n ns1 gresec sa add gs0 dir out spi "$2" "${a12[@]}"
	n ns2 gresec sa add gs0 dir out spi "$3" "${a21[@]}"
}

# gresec_sa_args NAME KEY AUTH: the key part of "gresec sa add"
gresec_sa_args() {
	echo "proposal $1 key $2${3:+ auth-key $3}"
}

# xfrm_algo NAME KEY AUTH: the algorithm part of "ip xfrm state add"
xfrm_algo() {
	case $1 in
	aes*gcm16) echo "aead rfc4106(gcm(aes)) 0x$2 128" ;;
	chacha20poly1305) echo "aead rfc7539esp(chacha20,poly1305) 0x$2 128" ;;
	*-sha256) echo "enc cbc(aes) 0x$2 auth-trunc hmac(sha256) 0x$3 128" ;;
	*-sha1) echo "enc cbc(aes) 0x$2 auth-trunc hmac(sha1) 0x$3 96" ;;
	*-md5) echo "enc cbc(aes) 0x$2 auth-trunc hmac(md5) 0x$3 96" ;;
	esac
}

# xfrm_transport_pair SPI_IN SPI_OUT NAME K_IN A_IN K_OUT A_OUT ESN [ENCAP...]:
# the native peer's side of a manually keyed pair, as ip_gre + xfrm runs it:
# both transport-mode states (ESN non-empty: "flag esn"; ENCAP, e.g.
# "encap espinudp 4500 4500 0.0.0.0", appended to both) and the GRE
# policies that make xfrm protect (and insist on) the tunnel's packets.
xfrm_transport_pair() {
	local in=$1 out=$2 prop=$3 kin=$4 ain=$5 kout=$6 aout=$7 esn=$8 flag=()
	shift 8
	[ -n "$esn" ] && flag=(flag esn)
	# shellcheck disable=SC2046
	ip xfrm state add src "$REMOTE" dst "$LOCAL" proto esp spi "$in" mode transport \
		replay-window 64 "${flag[@]}" $(xfrm_algo "$prop" "$kin" "$ain") "$@"
	# shellcheck disable=SC2046
	ip xfrm state add src "$LOCAL" dst "$REMOTE" proto esp spi "$out" mode transport \
		replay-window 64 "${flag[@]}" $(xfrm_algo "$prop" "$kout" "$aout") "$@"
	ip xfrm policy add src "$LOCAL" dst "$REMOTE" proto gre dir out \
		tmpl src "$LOCAL" dst "$REMOTE" proto esp mode transport
	ip xfrm policy add src "$REMOTE" dst "$LOCAL" proto gre dir in \
		tmpl src "$REMOTE" dst "$LOCAL" proto esp mode transport
}

# tshark_sa SRC DST SPI NAME KEY AUTH: one row of tshark's esp_sa table
tshark_sa() {
	local enc auth=NULL akey=""
	case $4 in
	aes*gcm16) enc="AES-GCM with 16 octet ICV [RFC4106]" ;;
	chacha20poly1305) enc="ChaCha20 with Poly1305 [RFC7634]" ;;
	*) enc="AES-CBC [RFC3602]" ;;
	esac
	case $4 in
	*-sha256) auth="HMAC-SHA-256-128 [RFC4868]" akey=0x$6 ;;
	*-sha1) auth="HMAC-SHA-1-96 [RFC2404]" akey=0x$6 ;;
	*-md5) auth="HMAC-MD5-96 [RFC2403]" akey=0x$6 ;;
	esac
	printf '"IPv4","%s","%s","%s","%s","0x%s","%s","%s"' "$1" "$2" "$3" "$enc" "$5" "$auth" "$akey"
}

# tshark_esp PCAP ROWS...: decode a capture with the given SAs; prints one
# line per ESP packet: src, spi, sequence, decrypted next header (GRE: 0x2f).
tshark_esp() {
	local pcap=$1 row uat=()
	shift
	for row in "$@"; do
		uat+=(-o "uat:esp_sa:$row")
	done
	tshark_r "$pcap" -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE "${uat[@]}" \
		-Y esp -T fields -E occurrence=f -e ip.src -e esp.spi -e esp.sequence \
		-e esp.protocol 2>/dev/null
}

# esp_wire_check PCAP TAG: a capture of the underlay (GRE and ESP) holds no
# plaintext GRE and at least 12 ESP packets.  Counted by tcpdump, which
# starts in a second under TCG where tshark takes 10 to 30, and stops
# reading at the 12th ESP packet (each packet it prints costs too).
esp_wire_check() {
	local gre esp
	gre=$(tcpdump -nr "$1" 'ip proto 47' 2>/dev/null | wc -l)
	[ "$gre" = 0 ] || tcpdump -nr "$1" -c 5 'ip proto 47' 2>/dev/null
	expect_eq "$gre" 0 "plaintext GRE packets on the wire ($2)"
	esp=$(tcpdump -nr "$1" -c 12 'ip proto 50' 2>/dev/null | wc -l)
	expect_eq "$esp" 12 "ESP packets on the wire, of the 12 at least wanted ($2)"
}

# esp_decrypt_later PCAP TAG SPI-PAIR ROW...: have esp_decrypt_check
# decrypt PCAP with tshark's esp_sa table ROWs (tshark_sa) and judge the
# packets of the SPIs of SPI-PAIR ("0x%08x 0x%08x").  One tshark run for
# all of a test's captures, for its start-up time.
ESP_DEC_PCAPS=()
ESP_DEC_ROWS=()
ESP_DEC_SETS=()
esp_decrypt_later() {
	ESP_DEC_PCAPS+=("$1")
	ESP_DEC_SETS+=("$3|$2")
	shift 3
	ESP_DEC_ROWS+=("$@")
}

# esp_decrypt_check: of each capture given to esp_decrypt_later, tshark
# decrypted at least 12 ESP packets, and every one to GRE (next header 47).
esp_decrypt_check() {
	local all=/tmp/esp-decrypt.pcap dec set n bad
	[ ${#ESP_DEC_PCAPS[@]} -gt 0 ] || return 0
	mergecap -a -w "$all" "${ESP_DEC_PCAPS[@]}" || fail "mergecap ${ESP_DEC_PCAPS[*]}"
	dec=$(tshark_esp "$all" "${ESP_DEC_ROWS[@]}")
	for set in "${ESP_DEC_SETS[@]}"; do
		read -r n bad <<< "$(awk -F'\t' -v s=" ${set%%|*} " '
			index(s, " " $2 " ") { n++; if ($4 != "0x2f") bad++ }
			END { print n + 0, bad + 0 }' <<< "$dec")"
		expect_ge "$n" 12 "ESP packets tshark decrypted (${set#*|})"
		expect_eq "$bad" 0 "ESP packets tshark did not decrypt to GRE (${set#*|})"
	done
}

# sa_counter NS|"" DEV DIR SPI FIELD: one SA counter (from "gresec dump", as
# tun_counter)
sa_counter() {
	local ex=() c
	[ -n "$1" ] && ex=(ip netns exec "$1")
	c=$(dump_column SA "$5") || fail "no dump column for counter $5"
	"${ex[@]}" gresec dump dev "$2" |
		awk -F'\t' -v c="$c" -v d="$3" -v s="$(printf '0x%08x' $(($4)))" \
			'$1 == "sa" && $3 == d && $4 == s { print $c }'
}

# esp_wire_packets NS|"" DEV SPI-IN SPI-OUT: ESP packets of DEV's inbound SA
# SPI-IN and outbound SA SPI-OUT, the ESP on its underlay link (from one
# dump: capture_stop's count).
esp_wire_packets() {
	local ex=() c
	[ -n "$1" ] && ex=(ip netns exec "$1")
	c=$(dump_column SA packets) || fail "no dump column for counter packets"
	"${ex[@]}" "$GRESEC" dump dev "$2" |
		awk -F'\t' -v c="$c" -v i="$(printf '0x%08x' $(($3)))" \
			-v o="$(printf '0x%08x' $(($4)))" '
			$1 == "sa" && (($3 == "in" && $4 == i) || ($3 == "out" && $4 == o)) { n += $c }
			END { print n + 0 }'
}

# sa_pair_read NS_OUT NS_IN DEV SPI: the packet counts of an outbound SA
# and of its inbound peer into SA_OUT and SA_IN, taken again (up to 5 s)
# until one pair of reads agrees: a packet still in flight, or sent between
# the two reads (the tunnel's own IPv6 chatter), would skew a single pair.
sa_pair_read() {
	local tries=50
	while :; do
		SA_OUT=$(sa_counter "$1" "$3" out "$4" packets)
		SA_IN=$(sa_counter "$2" "$3" in "$4" packets)
		[ "$SA_IN" = "$SA_OUT" ] && return 0
		tries=$((tries - 1))
		[ $tries -gt 0 ] || return 1
		nap 0.1
	done
}
