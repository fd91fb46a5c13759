// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: ESP (RFC 4303) on one SA, on the kernel crypto API: a transform
 * that knows nothing of tunnels or devices.
 *
 * Output turns the payload at skb->data into
 *
 *   SPI | seq (low 32 bits) | IV | payload | pad 1,2,3.. | pad len | NH | ICV
 *
 * and input reverses it.  The SA's mode decides the payload and its next
 * header NH (RFC 4303 3.1): in transport mode the GRE packet (47), in
 * tunnel mode an IPv4 packet around it (4), whose header the caller builds
 * on output and checks on input.  The AEAD transforms are used without a geniv
 * wrapper: the IV is written here (the sequence number for the counter-mode
 * AEADs, RFC 4106 3.1 and RFC 7634 2, random for CBC, RFC 3602 2.3), and
 * the associated data is the ESP header plus the IV, as rfc4106, rfc7539esp
 * and authenc expect it.  With ESN the header is shifted 4 bytes forward
 * during the operation so that the AAD reads SPI | seq-hi | seq-lo, the
 * layout rfc4106 (RFC 4106 5) and authencesn (RFC 4303 3.3.2.1, seq-hi
 * hashed after the payload) take, exactly as esp4 does.
 *
 * Both directions work with synchronous and asynchronous AEADs: the
 * temporary buffer (one GFP_ATOMIC allocation) is found from skb->cb, and
 * the caller's reference to the SA is held until its continuation ran.  One
 * function is both the synchronous tail and the completion tail in each
 * direction (*_done2); it hands the packet back through the caller's
 * continuation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/aes.h>
#include <linux/ip.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>

#include "compat.h"
#include "esp.h"
#include "replay.h"
#include "sa.h"
#include "skb.h"

#define GRESEC_ESP_HLEN		sizeof(struct ip_esp_hdr)

/* Start of the temporary buffer: what a completion needs besides skb->cb. */
struct gresec_esp_extra {
	gresec_esp_done_t done;
	void *dst;		/* output, out of place: the new fragment */
	unsigned int dst_len;
	bool borrowed;		/* input, ESN: the seq-hi shift covered... */
	__be32 saved;		/* ...these bytes of the IP header */
};

/*
 * [extra | IV | aead_request + its context | sg[nfrags]], as esp4; an
 * out-of-place request has its destination list after the source list.
 */
static void *gresec_esp_alloc_tmp(struct crypto_aead *aead,
				  unsigned int nfrags)
{
	unsigned int len = sizeof(struct gresec_esp_extra);

	len += crypto_aead_ivsize(aead);
	len += crypto_aead_alignmask(aead) & ~(crypto_tfm_ctx_alignment() - 1);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	len += sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, __alignof__(struct scatterlist));
	len += sizeof(struct scatterlist) * nfrags;
	return kmalloc(len, GFP_ATOMIC);
}

static u8 *gresec_esp_tmp_iv(struct crypto_aead *aead, void *tmp)
{
	return PTR_ALIGN((u8 *)tmp + sizeof(struct gresec_esp_extra),
			 crypto_aead_alignmask(aead) + 1);
}

static struct aead_request *gresec_esp_tmp_req(struct crypto_aead *aead,
					       u8 *iv)
{
	struct aead_request *req;

	req = (void *)PTR_ALIGN(iv + crypto_aead_ivsize(aead),
				crypto_tfm_ctx_alignment());
	aead_request_set_tfm(req, aead);
	return req;
}

static struct scatterlist *gresec_esp_req_sg(struct crypto_aead *aead,
					     struct aead_request *req)
{
	return (void *)ALIGN((unsigned long)(req + 1) +
			     crypto_aead_reqsize(aead),
			     __alignof__(struct scatterlist));
}

/*
 * Out-of-place output is over: the ciphertext (with trailer and ICV) in
 * @dst replaces the payload fragments it was read from.  Error or not, the
 * skb owns @dst from here on and frees it with itself.
 */
static void gresec_esp_swap_frags(struct sk_buff *skb, void *dst,
				  unsigned int len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	struct page *page = virt_to_head_page(dst);
	int i;

	for (i = 0; i < shinfo->nr_frags; i++)
		skb_frag_unref(skb, i);
	__skb_fill_page_desc(skb, 0, page, dst - page_address(page), len);
	shinfo->nr_frags = 1;
	/*
	 * truesize stays: the sending socket was charged for it and gets that
	 * back when the skb is freed (pskb_expand_head() leaves it alone too).
	 */
	skb->len += len - skb->data_len;
	skb->data_len = len;
}

/*
 * Undo the ESN shift, free the buffer; returns the caller's continuation.
 * With ESN the high sequence half sits between SPI and low half while the
 * AEAD runs (RFC 4303 2.2.1: authenticated, never sent).
 */
static gresec_esp_done_t gresec_esp_finish(struct sk_buff *skb)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	struct gresec_esp_extra *extra = cb->tmp;
	gresec_esp_done_t done = extra->done;

	if (extra->dst)
		gresec_esp_swap_frags(skb, extra->dst, extra->dst_len);
	if (cb->sa->esn) {
		/* SPI | seq-hi | seq-lo  ->  [saved] | SPI | seq-lo */
		memcpy(skb->data + 4, skb->data, 4);
		if (extra->borrowed)
			memcpy(skb->data, &extra->saved, 4);
		__skb_pull(skb, 4);
	}
	kfree(cb->tmp);
	cb->tmp = NULL;
	return done;
}

static void gresec_esp_done(gresec_crypto_data_t *data, int err)
{
	struct sk_buff *skb = gresec_crypto_data(data);

	/* A backlogged request moving on; we never ask for backlog. */
	if (err == -EINPROGRESS)
		return;
	gresec_esp_finish(skb)(skb, err);
}

/*
 * One allocation for the request, its IV and its scatterlist (@nfrags
 * entries); returns it (for cb->tmp and kfree()) or NULL.
 */
static void *gresec_esp_req_alloc(struct gresec_sa *sa, struct sk_buff *skb,
				  int nfrags, gresec_esp_done_t done,
				  struct aead_request **req, u8 **iv,
				  struct scatterlist **sg)
{
	struct crypto_aead *aead = sa->aead;
	struct gresec_esp_extra *extra;
	void *tmp;

	tmp = gresec_esp_alloc_tmp(aead, nfrags);
	if (!tmp)
		return NULL;
	extra = tmp;
	extra->done = done;
	extra->dst = NULL;
	extra->borrowed = false;
	*iv = gresec_esp_tmp_iv(aead, tmp);
	*req = gresec_esp_tmp_req(aead, *iv);
	*sg = gresec_esp_req_sg(aead, *req);
	aead_request_set_callback(*req, 0, gresec_esp_done, skb);
	return tmp;
}

/*
 * The payload of most packets we send is not ours to write: TCP keeps its
 * pages for retransmission, a GSO segment shares them with its siblings, a
 * splice shares the page cache.  skb_cow_data() would copy the packet into
 * a new head (zeroed first, under init_on_alloc) before encrypting in place.
 * Instead, as esp4 does, encrypt out of place: the AEAD reads the payload
 * where it is and writes ciphertext, trailer and ICV into one new page
 * fragment, which replaces the payload fragments once it is done.  The
 * head (ESP header, IV, the GRE and inner headers) is ours and stays in
 * place.  Returns the fragment, or NULL to take the copying path.
 */
static void *gresec_esp_oop_dst(struct sk_buff *skb, unsigned int tailen)
{
	unsigned int pull = -skb_headlen(skb) & (AES_BLOCK_SIZE - 1);

	if (skb_cloned(skb) || !skb->data_len || skb_has_frag_list(skb) ||
	    SKB_DATA_ALIGN(skb->data_len + tailen) > PAGE_SIZE)
		return NULL;
	/*
	 * Managed fragments (io_uring zero copy) hold no page references of
	 * their own: take them before the fragments are let go one by one.
	 */
	skb_zcopy_downgrade_managed(skb);
	/*
	 * Cipher walks (skcipher_walk) bounce a block through a buffer
	 * wherever a scatterlist entry ends inside one, on output and again
	 * on input, where the packet keeps this layout.  Ending the head on a
	 * block boundary costs a copy of at most 15 payload bytes into its
	 * tail room (the fragments are only read) and saves that bounce.
	 */
	if (pull && pull < skb->data_len &&
	    skb_end_pointer(skb) - skb_tail_pointer(skb) >= pull)
		__pskb_pull_tail(skb, pull);
	return netdev_alloc_frag(skb->data_len + tailen);
}

/*
 * Encrypt: skb->data is the payload to protect, @nexthdr goes in the
 * trailer.  On 0 skb->data is the complete ESP packet.  -EINPROGRESS:
 * @done(skb, err) runs when the AEAD completes.  Any other error: the skb
 * is in an unknown state and must be dropped.  cb->sa is set to @sa; the
 * caller keeps it alive until the end.
 */
int gresec_esp_seal(struct gresec_sa *sa, struct sk_buff *skb, u64 seq,
		    const u8 *iv, u8 nexthdr, gresec_esp_done_t done)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	unsigned int assoclen = GRESEC_ESP_HLEN + (sa->esn ? 4 : 0) + sa->ivlen;
	unsigned int clen, plen, tailen, lead = 0, i;
	struct scatterlist *sg, *dsg;
	struct gresec_esp_extra *extra;
	struct aead_request *req;
	struct sk_buff *trailer;
	u8 *hdr, *tail, *reqiv;
	int nfrags, err;
	void *tmp, *dst;

	cb->sa = sa;
	cb->tmp = NULL;

	/* RFC 4303 2.4: pad to the block size and to 4 bytes, 1, 2, 3... */
	clen = ALIGN(skb->len + 2, sa->align);
	plen = clen - skb->len;
	tailen = plen + sa->icvlen;
	if (skb_cow_head(skb, gresec_sa_headroom(sa)))
		return -ENOMEM;
	dst = gresec_esp_oop_dst(skb, tailen);
	if (dst) {
		/* Source: head, payload fragments, trailer (read from dst). */
		nfrags = 1 + skb_shinfo(skb)->nr_frags + 1;
		tail = (u8 *)dst + skb->data_len;
	} else {
		nfrags = skb_cow_data(skb, tailen, &trailer);
		if (nfrags < 0)
			return nfrags;
		tail = skb_tail_pointer(trailer);
	}
	for (i = 0; i < plen - 2; i++)
		tail[i] = i + 1;
	tail[plen - 2] = plen - 2;
	tail[plen - 1] = nexthdr;
	if (dst) {
		/*
		 * As for the head (gresec_esp_oop_dst()), at the payload's
		 * end: its last bytes short of a whole block are read from a
		 * copy in front of the trailer, where their ciphertext goes,
		 * so the source's last entry starts on a block boundary and
		 * the cipher walk needs no bounce there.
		 */
		lead = skb->len & (AES_BLOCK_SIZE - 1);
		if (lead > skb->data_len ||
		    skb_copy_bits(skb, skb->len - lead, tail - lead, lead))
			lead = 0;
	}

	tmp = gresec_esp_req_alloc(sa, skb, dst ? nfrags + 2 : nfrags, done,
				   &req, &reqiv, &sg);
	if (!tmp) {
		if (dst)
			skb_free_frag(dst);
		return -ENOMEM;
	}

	hdr = skb_push(skb, assoclen);
	put_unaligned_be32(sa->spi, hdr);
	if (sa->esn) {
		put_unaligned_be32(upper_32_bits(seq), hdr + 4);
		hdr += 4;
	}
	put_unaligned_be32(lower_32_bits(seq), hdr + 4);
	memcpy(hdr + GRESEC_ESP_HLEN, iv, sa->ivlen);
	memcpy(reqiv, iv, sa->ivlen);

	if (dst) {
		extra = tmp;
		extra->dst = dst;
		extra->dst_len = skb->data_len + tailen;
		sg_init_table(sg, nfrags);
		err = skb_to_sgvec_nomark(skb, sg, 0, skb->len - lead);
		if (likely(err >= 0)) {
			sg_set_buf(&sg[err], tail - lead, lead + plen);
			sg_mark_end(&sg[err]);
		}
		dsg = sg + nfrags;
		sg_init_table(dsg, 2);
		sg_set_buf(&dsg[0], skb->data, skb_headlen(skb));
		sg_set_buf(&dsg[1], dst, extra->dst_len);
	} else {
		pskb_put(skb, trailer, tailen);
		sg_init_table(sg, nfrags);
		err = skb_to_sgvec(skb, sg, 0, skb->len);
		dsg = sg;
	}
	cb->tmp = tmp;
	if (unlikely(err < 0)) {
		gresec_esp_finish(skb);
		return err;
	}
	aead_request_set_crypt(req, sg, dsg, clen, reqiv);
	aead_request_set_ad(req, assoclen);

	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS)
		return err;
	gresec_esp_finish(skb);
	return err;
}

/*
 * Verify and decrypt in place: skb->data is the ESP header, @seq the full
 * sequence number (its high half is authenticated with ESN).  On 0 the
 * packet is intact and decrypted; use gresec_esp_strip() next.  -EBADMSG:
 * the ICV did not verify.  -EMSGSIZE: the packet cannot be ESP for @sa.
 * -EINPROGRESS: @done runs later.  cb->sa is set to @sa.
 */
int gresec_esp_open(struct gresec_sa *sa, struct sk_buff *skb, u64 seq,
		    gresec_esp_done_t done)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	unsigned int hlen = GRESEC_ESP_HLEN + sa->ivlen;
	unsigned int assoclen = hlen + (sa->esn ? 4 : 0);
	struct crypto_aead *aead = sa->aead;
	struct gresec_esp_extra *extra;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	int nfrags, err, elen;
	u8 *hdr, *reqiv;
	void *tmp;

	cb->sa = sa;
	cb->tmp = NULL;

	elen = skb->len - hlen - sa->icvlen;
	if (elen < 2 || elen % crypto_aead_blocksize(aead) ||
	    !pskb_may_pull(skb, hlen))
		return -EMSGSIZE;
	/*
	 * A received packet that is not cloned owns its fragments: decrypt
	 * them in place, as esp4 does, rather than have skb_cow_data() copy
	 * the packet into a new head.  Shared fragments (splice, sendfile) are
	 * never written.
	 */
	if (!skb_cloned(skb) && !skb_has_frag_list(skb) &&
	    !skb_has_shared_frag(skb)) {
		nfrags = 1 + skb_shinfo(skb)->nr_frags;
	} else {
		nfrags = skb_cow_data(skb, 0, &trailer);
		if (nfrags < 0)
			return nfrags;
	}

	tmp = gresec_esp_req_alloc(sa, skb, nfrags, done, &req, &reqiv, &sg);
	if (!tmp)
		return -ENOMEM;
	extra = tmp;
	memcpy(reqiv, skb->data + GRESEC_ESP_HLEN, sa->ivlen);

	if (sa->esn) {
		/* Borrow the 4 bytes in front (the IP header, now private). */
		hdr = skb_push(skb, 4);
		memcpy(&extra->saved, hdr, 4);
		extra->borrowed = true;
		memcpy(hdr, hdr + 4, 4);
		put_unaligned_be32(upper_32_bits(seq), hdr + 4);
	}

	skb->ip_summed = CHECKSUM_NONE;
	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0)) {
		cb->tmp = tmp;
		gresec_esp_finish(skb);
		return err;
	}
	aead_request_set_crypt(req, sg, sg, elen + sa->icvlen, reqiv);
	aead_request_set_ad(req, assoclen);

	cb->tmp = tmp;
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return err;
	gresec_esp_finish(skb);
	return err;
}

/*
 * Remove header, IV and trailer of a packet gresec_esp_open() verified,
 * leaving skb->data at the payload.  Returns 0 with *@nexthdr set, or
 * DROP_BAD_LENGTH for an impossible pad length or padding other than the
 * RFC 4303 2.4 default (which the receiver SHOULD inspect).
 */
enum gresec_sa_stats_a gresec_esp_strip(struct gresec_sa *sa,
					struct sk_buff *skb, u8 *nexthdr)
{
	unsigned int hlen = GRESEC_ESP_HLEN + sa->ivlen;
	unsigned int elen = skb->len - hlen - sa->icvlen;
	u8 buf[255 + 2];
	unsigned int i, padlen;

	if (skb_copy_bits(skb, skb->len - sa->icvlen - 2, buf, 2))
		return GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
	padlen = buf[0];
	*nexthdr = buf[1];
	if (padlen + 2 > elen)
		return GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
	if (skb_copy_bits(skb, skb->len - sa->icvlen - 2 - padlen, buf, padlen))
		return GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
	for (i = 0; i < padlen; i++)
		if (buf[i] != i + 1)
			return GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
	if (pskb_trim(skb, skb->len - sa->icvlen - 2 - padlen))
		return GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
	__skb_pull(skb, hlen);
	return 0;
}

/* Output: the sync tail and the completion tail. */
static void gresec_esp_output_done2(struct sk_buff *skb, int err)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);

	if (unlikely(err)) {
		gresec_sa_count(cb->sa, GRESEC_SA_STATS_A_DROP_CRYPTO);
		net_dbg_ratelimited("SA 0x%08x: encryption failed: %d\n",
				    cb->sa->spi, err);
	}
	cb->done(skb, err);
}

/* The next header of @sa's packets: its mode's (RFC 4303 3.1). */
static u8 gresec_esp_nexthdr(const struct gresec_sa *sa)
{
	return gresec_sa_tunnel_mode(sa) ? IPPROTO_IPIP : IPPROTO_GRE;
}

/*
 * Protect the packet at skb->data (GRE, or in tunnel mode the inner IPv4
 * header the caller put in front of it) with @sa; @done
 * gets it back, at once or from a crypto completion: on 0 skb->data is the
 * ESP packet, on -EKEYEXPIRED the SA may no longer send (expired or out of
 * sequence numbers), on another error the packet must be dropped.  The SA
 * counted every failure; the caller counts what it sent and holds the SA
 * until @done ran.
 */
void gresec_esp_output(struct gresec_sa *sa, struct sk_buff *skb,
		       gresec_esp_done_t done)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	u8 iv[GRESEC_SA_IVLEN_MAX];
	enum gresec_sa_stats_a reason;
	int err;
	u64 seq;

	cb->sa = sa;
	cb->tmp = NULL;
	cb->done = done;
	reason = gresec_sa_next_seq(sa, &seq);
	if (!reason)
		reason = gresec_sa_charge(sa, skb->len);
	if (unlikely(reason)) {
		gresec_sa_count(sa, reason);
		done(skb, -EKEYEXPIRED);
		return;
	}

	/* Offloads cannot reach into ciphertext: finish them now. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		gresec_esp_output_done2(skb, -ENOMEM);
		return;
	}
	skb->encapsulation = 0;

	if (sa->iv_is_seq)
		put_unaligned_be64(seq, iv);
	else
		get_random_bytes(iv, sa->ivlen);
	err = gresec_esp_seal(sa, skb, seq, iv, gresec_esp_nexthdr(sa),
			      gresec_esp_output_done2);
	if (err == -EINPROGRESS)
		return;
	gresec_esp_output_done2(skb, err);
}

/* Input: the sync tail and the completion tail. */
static void gresec_esp_input_done2(struct sk_buff *skb, int err)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	struct gresec_sa *sa = cb->sa;
	enum gresec_sa_stats_a reason;
	u8 nexthdr;

	if (unlikely(err)) {
		if (err == -EBADMSG) {
			reason = GRESEC_SA_STATS_A_DROP_ICV;
		} else if (err == -EMSGSIZE) {
			reason = GRESEC_SA_STATS_A_DROP_BAD_LENGTH;
		} else {
			/* Which error: memory, a full crypto queue, other. */
			reason = GRESEC_SA_STATS_A_DROP_CRYPTO;
			net_dbg_ratelimited("SA 0x%08x: decryption failed: %d\n",
					    sa->spi, err);
		}
		goto drop;
	}

	/* Authenticated: only now may the packet move the window. */
	spin_lock_bh(&sa->replay_lock);
	reason = gresec_replay_advance(&sa->replay, cb->recv.seq);
	spin_unlock_bh(&sa->replay_lock);
	if (reason)
		goto drop;
	reason = gresec_esp_strip(sa, skb, &nexthdr);
	if (reason)
		goto drop;
	reason = gresec_sa_charge(sa, skb->len);
	if (reason)
		goto drop;

	/*
	 * The SA's mode, not the packet, decides what the payload may be: a
	 * transport-mode SA takes no IPv4 packet, a tunnel-mode one no bare
	 * GRE.
	 */
	if (nexthdr == gresec_esp_nexthdr(sa)) {
		cb->done(skb, 0);
		return;
	}
	/* RFC 4303 2.6: dummy packets (traffic flow confidentiality). */
	if (nexthdr == IPPROTO_NONE) {
		cb->done(skb, -ENODATA);
		return;
	}
	reason = GRESEC_SA_STATS_A_DROP_NEXT_HEADER;

drop:
	gresec_sa_count(sa, reason);
	cb->done(skb, -EINVAL);
}

/*
 * Verify, decrypt and check against the replay window the ESP packet at
 * skb->data; @done gets it back, at once or from a crypto completion: on 0
 * skb->data is the payload it carried (the GRE packet; in tunnel mode the
 * inner IPv4 header in front of it, for the caller to check), on -ENODATA
 * it was a dummy packet to consume, on -EINVAL it must be dropped (the SA counted why).
 * The caller counts what it received and holds the SA until @done ran.
 */
void gresec_esp_input(struct gresec_sa *sa, struct sk_buff *skb,
		      gresec_esp_done_t done)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	const struct ip_esp_hdr *esph = (const struct ip_esp_hdr *)skb->data;
	enum gresec_sa_stats_a reason;
	int err;
	u64 seq;

	cb->sa = sa;
	cb->tmp = NULL;
	cb->done = done;
	reason = gresec_sa_check(sa);
	if (reason)
		goto drop;
	spin_lock_bh(&sa->replay_lock);
	seq = gresec_replay_seq(&sa->replay, ntohl(esph->seq_no), sa->esn);
	reason = gresec_replay_check(&sa->replay, seq);
	spin_unlock_bh(&sa->replay_lock);
	if (reason)
		goto drop;
	cb->recv.seq = seq;

	err = gresec_esp_open(sa, skb, seq, gresec_esp_input_done2);
	if (err != -EINPROGRESS)
		gresec_esp_input_done2(skb, err);
	return;

drop:
	gresec_sa_count(sa, reason);
	done(skb, -EINVAL);
}

#ifdef DEBUG
#include "selftest/esp.c"
#endif
