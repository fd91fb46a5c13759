// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: ESP security associations: creation with their AEAD transform,
 * lookup, reference counting, lifetimes, sequence number space and events.
 *
 * Lifetime of an SA: the tunnel's list holds the first reference (tx_sa and
 * the SPI hash are RCU pointers covered by it); the data path takes its own
 * with kref_get_unless_zero() under RCU and keeps it across asynchronous
 * crypto.  Deleting unlinks the SA, marks it dead and drops the list's
 * reference; the last reference frees it after an RCU grace period from a
 * work item, because freeing a transform may sleep.  An SA pins its tunnel
 * device, so whoever holds an SA may use sa->tun.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <linux/hash.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "device.h"
#include "netns.h"
#include "sa.h"
#include "udp.h"

/*
 * The module's own configuration lock, for the SA state that is no
 * netdev's: every tunnel's sa_list, sa_count, sa_generation and tx_sa, the
 * per-namespace SPI table, sa->dead, the event handler and the order of the
 * events it sends.  RTNL keeps what is the core's or the device's: the
 * tunnel's configuration (protection, MTU, addresses), the tunnel table,
 * registration and the rtnl link ops.
 *
 * Lock order: RTNL, then gresec_sa_mutex.  SA_NEW, SA_DEL and the device's
 * teardown change both (an SA makes protection required, the outbound SA
 * sets the MTU), so they take RTNL first; SA_GET, SA dumps and the events of
 * a lifetime or a sequence number space running out take the mutex alone.
 * Whoever writes tx_sa or sa_list holds both, so a reader may hold either.
 * Nothing under the mutex takes RTNL or waits for work that takes the mutex.
 */
static DEFINE_MUTEX(gresec_sa_mutex);
static gresec_sa_event_fn gresec_sa_event_handler;
static struct workqueue_struct *gresec_sa_wq;

struct gresec_proposal_desc {
	const char *name;
	const char *alg;	/* crypto API name */
	const char *alg_esn;	/* with seq-hi in the ICV; NULL: alg does ESN */
	const char *key_msg;	/* extack texts, static for 6.1 */
	const char *auth_key_msg;
	u8 key_len;		/* cipher key, with the salt for AEAD */
	u8 auth_key_len;	/* 0: AEAD, no separate HMAC key */
	u8 icv_len;
};

/* AEAD keys carry the salt after the cipher key (RFC 4106 8.1, RFC 7634 2). */
static const struct gresec_proposal_desc gresec_proposals[] = {
	[GRESEC_PROPOSAL_AES128GCM16] = {
		.name = "aes128gcm16",
		.alg = "rfc4106(gcm(aes))",
		.key_msg = "key: aes128gcm16 needs 20 bytes (16-byte key + 4-byte salt)",
		.auth_key_msg = "auth-key: aes128gcm16 is an AEAD and takes none",
		.key_len = 20,
		.icv_len = 16,
	},
	[GRESEC_PROPOSAL_AES256GCM16] = {
		.name = "aes256gcm16",
		.alg = "rfc4106(gcm(aes))",
		.key_msg = "key: aes256gcm16 needs 36 bytes (32-byte key + 4-byte salt)",
		.auth_key_msg = "auth-key: aes256gcm16 is an AEAD and takes none",
		.key_len = 36,
		.icv_len = 16,
	},
	[GRESEC_PROPOSAL_AES128_SHA256] = {
		.name = "aes128-sha256",
		.alg = "authenc(hmac(sha256),cbc(aes))",
		.alg_esn = "authencesn(hmac(sha256),cbc(aes))",
		.key_msg = "key: aes128-sha256 needs 16 bytes",
		.auth_key_msg = "auth-key: aes128-sha256 needs 32 bytes",
		.key_len = 16,
		.auth_key_len = 32,
		.icv_len = 16,
	},
	[GRESEC_PROPOSAL_AES256_SHA256] = {
		.name = "aes256-sha256",
		.alg = "authenc(hmac(sha256),cbc(aes))",
		.alg_esn = "authencesn(hmac(sha256),cbc(aes))",
		.key_msg = "key: aes256-sha256 needs 32 bytes",
		.auth_key_msg = "auth-key: aes256-sha256 needs 32 bytes",
		.key_len = 32,
		.auth_key_len = 32,
		.icv_len = 16,
	},
	[GRESEC_PROPOSAL_AES128_SHA1] = {
		.name = "aes128-sha1",
		.alg = "authenc(hmac(sha1),cbc(aes))",
		.alg_esn = "authencesn(hmac(sha1),cbc(aes))",
		.key_msg = "key: aes128-sha1 needs 16 bytes",
		.auth_key_msg = "auth-key: aes128-sha1 needs 20 bytes",
		.key_len = 16,
		.auth_key_len = 20,
		.icv_len = 12,
	},
	[GRESEC_PROPOSAL_AES256_SHA1] = {
		.name = "aes256-sha1",
		.alg = "authenc(hmac(sha1),cbc(aes))",
		.alg_esn = "authencesn(hmac(sha1),cbc(aes))",
		.key_msg = "key: aes256-sha1 needs 32 bytes",
		.auth_key_msg = "auth-key: aes256-sha1 needs 20 bytes",
		.key_len = 32,
		.auth_key_len = 20,
		.icv_len = 12,
	},
	[GRESEC_PROPOSAL_AES128_MD5] = {
		.name = "aes128-md5",
		.alg = "authenc(hmac(md5),cbc(aes))",
		.alg_esn = "authencesn(hmac(md5),cbc(aes))",
		.key_msg = "key: aes128-md5 needs 16 bytes",
		.auth_key_msg = "auth-key: aes128-md5 needs 16 bytes",
		.key_len = 16,
		.auth_key_len = 16,
		.icv_len = 12,
	},
	[GRESEC_PROPOSAL_CHACHA20POLY1305] = {
		.name = "chacha20poly1305",
		.alg = "rfc7539esp(chacha20,poly1305)",
		.key_msg = "key: chacha20poly1305 needs 36 bytes (32-byte key + 4-byte salt)",
		.auth_key_msg = "auth-key: chacha20poly1305 is an AEAD and takes none",
		.key_len = 36,
		.icv_len = 16,
	},
};

static const struct gresec_proposal_desc *gresec_proposal_get(u32 proposal)
{
	if (proposal >= ARRAY_SIZE(gresec_proposals) ||
	    !gresec_proposals[proposal].name)
		return NULL;
	return &gresec_proposals[proposal];
}

/* A precise message where the kernel can format one, the fixed one else. */
static void gresec_sa_len_err(struct netlink_ext_ack *extack, const char *msg,
			      unsigned int len)
{
#ifdef GRESEC_HAVE_EXTACK_FMT
	NL_SET_ERR_MSG_FMT_MOD(extack, "%s, got %u", msg, len);
#else
	/* NL_SET_ERR_MSG() only takes literals there: set the same field. */
	if (extack)
		extack->_msg = msg;
#endif
}

static struct hlist_head *gresec_sa_bucket(struct gresec_netns *gn, u32 spi)
{
	return &gn->sa_by_spi[hash_32(spi, GRESEC_NETNS_SA_HASH_BITS)];
}

void gresec_sa_params_init(struct gresec_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->replay_window = GRESEC_REPLAY_WINDOW_DEFAULT;
}

static int gresec_sa_check_lifetime(const struct gresec_sa_lifetime *lft,
				    struct netlink_ext_ack *extack)
{
	if (lft->soft_bytes && lft->hard_bytes &&
	    lft->soft_bytes > lft->hard_bytes) {
		NL_SET_ERR_MSG_MOD(extack, "soft-bytes: must not exceed hard-bytes");
		return -EINVAL;
	}
	if (lft->soft_packets && lft->hard_packets &&
	    lft->soft_packets > lft->hard_packets) {
		NL_SET_ERR_MSG_MOD(extack,
				   "soft-packets: must not exceed hard-packets");
		return -EINVAL;
	}
	if (lft->soft_time && lft->hard_time &&
	    lft->soft_time > lft->hard_time) {
		NL_SET_ERR_MSG_MOD(extack, "soft-time: must not exceed hard-time");
		return -EINVAL;
	}
	return 0;
}

/*
 * What an SA's parameters must satisfy beyond each attribute's range: the
 * SPI's, the direction's, the proposal's and the replay window's ranges
 * are uapi/gresec.yaml's policy, which netlink applies before we run (the
 * spec cannot say a binary attribute's exact length, so the key lengths
 * are checked here, with the proposal's message).
 */
int gresec_sa_check_params(const struct gresec_sa_params *p,
			   struct netlink_ext_ack *extack)
{
	const struct gresec_proposal_desc *desc;
	bool bad_auth_key;

	desc = gresec_proposal_get(p->proposal);
	/* The policy's range is the enum's, which the table covers. */
	if (WARN_ON_ONCE(!desc))
		return -EINVAL;
	if (!p->key || p->key_len != desc->key_len) {
		gresec_sa_len_err(extack, desc->key_msg, p->key_len);
		return -EINVAL;
	}
	if (desc->auth_key_len)
		bad_auth_key = !p->auth_key ||
			       p->auth_key_len != desc->auth_key_len;
	else
		bad_auth_key = p->auth_key_len != 0;
	if (bad_auth_key) {
		gresec_sa_len_err(extack, desc->auth_key_msg, p->auth_key_len);
		return -EINVAL;
	}
	if (p->encap == GRESEC_ENCAP_UDP &&
	    (!p->encap_sport || !p->encap_dport)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "encap: UDP encapsulation needs encap-sport and encap-dport");
		return -EINVAL;
	}
	if (p->encap != GRESEC_ENCAP_UDP &&
	    (p->encap_sport || p->encap_dport || p->encap_peer_addr)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "encap: ports and peer address need encap udp");
		return -EINVAL;
	}
	if (p->encap_peer_addr && p->dir != GRESEC_SA_DIR_OUT) {
		NL_SET_ERR_MSG_MOD(extack,
				   "encap-peer-addr: only for outbound SAs (inbound ones learn it)");
		return -EINVAL;
	}
	return gresec_sa_check_lifetime(&p->lft, extack);
}

/* The authenc key blob: an rtattr with the cipher key length, then keys. */
static int gresec_sa_setkey_authenc(struct crypto_aead *aead,
				    const struct gresec_sa_params *p)
{
	unsigned int len = RTA_SPACE(sizeof(struct crypto_authenc_key_param)) +
			   p->auth_key_len + p->key_len;
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *blob, *keys;
	int err;

	blob = kmalloc(len, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;
	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(p->key_len);
	keys = blob + RTA_SPACE(sizeof(*param));
	memcpy(keys, p->auth_key, p->auth_key_len);
	memcpy(keys + p->auth_key_len, p->key, p->key_len);
	err = crypto_aead_setkey(aead, blob, len);
	kfree_sensitive(blob);
	return err;
}

#ifdef DEBUG
/*
 * Debug builds can wrap every SA's transform in cryptd, so that each
 * operation completes later from a worker: the path hardware and busy
 * SIMD units take, which a test cannot otherwise choose.
 */
static bool async_crypto;
module_param(async_crypto, bool, 0644);
MODULE_PARM_DESC(async_crypto, "Debug: run every new SA's AEAD through cryptd");
#endif

static struct crypto_aead *gresec_sa_alloc_aead(const char *alg)
{
#ifdef DEBUG
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *sync;
	int len;

	/*
	 * cryptd wraps a synchronous implementation named by its driver
	 * name: "cryptd(rfc4106(gcm(aes)))" names no instance it can make.
	 */
	if (READ_ONCE(async_crypto)) {
		sync = crypto_alloc_aead(alg, 0, CRYPTO_ALG_ASYNC);
		if (IS_ERR(sync))
			return sync;
		len = snprintf(name, sizeof(name), "cryptd(%s)",
			       crypto_tfm_alg_driver_name(crypto_aead_tfm(sync)));
		crypto_free_aead(sync);
		if (len >= sizeof(name))
			return ERR_PTR(-ENAMETOOLONG);
		return crypto_alloc_aead(name, 0, 0);
	}
#endif
	return crypto_alloc_aead(alg, 0, 0);
}

static int gresec_sa_init_aead(struct gresec_sa *sa,
			       const struct gresec_proposal_desc *desc,
			       const struct gresec_sa_params *p,
			       struct netlink_ext_ack *extack)
{
	const char *alg = p->esn && desc->alg_esn ? desc->alg_esn : desc->alg;
	struct crypto_aead *aead;
	int err;

	aead = gresec_sa_alloc_aead(alg);
	if (IS_ERR(aead)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "proposal: the kernel cannot provide its crypto algorithm");
		pr_warn("cannot allocate %s: %ld\n", alg, PTR_ERR(aead));
		return PTR_ERR(aead);
	}
	sa->aead = aead;

	if (desc->auth_key_len)
		err = gresec_sa_setkey_authenc(aead, p);
	else
		err = crypto_aead_setkey(aead, p->key, p->key_len);
	if (!err)
		err = crypto_aead_setauthsize(aead, desc->icv_len);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "key: refused by the crypto algorithm");
		return err;
	}

	sa->ivlen = crypto_aead_ivsize(aead);
	sa->icvlen = desc->icv_len;
	sa->align = ALIGN(crypto_aead_blocksize(aead), 4);
	/* RFC 4106 3.1 and RFC 7634 2: counter-mode IVs must only be unique. */
	sa->iv_is_seq = !desc->auth_key_len;
	if (WARN_ON_ONCE(sa->ivlen > GRESEC_SA_IVLEN_MAX ||
			 gresec_sa_overhead(sa) > GRESEC_SA_OVERHEAD_MAX ||
			 (sa->iv_is_seq && sa->ivlen != sizeof(u64))))
		return -EINVAL;
	return 0;
}

/* Absolute boottime deadline @secs after @start, saturating. */
static u64 gresec_sa_deadline(u64 start, u64 secs)
{
	if (!secs || secs > div_u64(U64_MAX - start, NSEC_PER_SEC))
		return U64_MAX;
	return start + secs * NSEC_PER_SEC;
}

static void gresec_sa_event_worker(struct work_struct *work);
static void gresec_sa_life_worker(struct work_struct *work);
static void gresec_sa_free_worker(struct work_struct *work);

/*
 * A new SA with its transform keyed, not attached to any tunnel: the first
 * half of an add, which may sleep and fail, and takes no lock.  The
 * parameters are trusted here: the caller checks them first with
 * gresec_sa_check_params() (the self-tests use SPIs and sequence numbers
 * the checks would refuse).
 */
struct gresec_sa *gresec_sa_new(const struct gresec_sa_params *p,
				struct netlink_ext_ack *extack)
{
	const struct gresec_proposal_desc *desc = gresec_proposal_get(p->proposal);
	u32 window = p->dir == GRESEC_SA_DIR_IN ? p->replay_window : 0;
	struct gresec_sa *sa;
	unsigned int cpu;
	int err = -ENOMEM;

	if (!desc)
		return ERR_PTR(-EINVAL);
	/* Charged to the caller's memory cgroup, like xfrm states. */
	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	INIT_HLIST_NODE(&sa->spi_node);
	INIT_LIST_HEAD(&sa->tun_node);
	kref_init(&sa->ref);
	spin_lock_init(&sa->replay_lock);
	INIT_WORK(&sa->event_work, gresec_sa_event_worker);
	INIT_DELAYED_WORK(&sa->life_work, gresec_sa_life_worker);
	INIT_RCU_WORK(&sa->free_work, gresec_sa_free_worker);
	/* The receive path sets the handler before the SA is linked. */
	gresec_par_queue_init(&sa->rxq, NULL, sa);

	sa->spi = p->spi;
	sa->dir = p->dir;
	sa->proposal = p->proposal;
	sa->reqid = p->reqid;
	sa->esn = p->esn;
	sa->encap = p->encap;
	sa->mode = p->mode;
	sa->encap_sport = p->encap_sport;
	sa->encap_dport = p->encap_dport;
	/* Outbound: where to send; inbound: whom to expect, till a NAT moves. */
	atomic64_set(&sa->encap_peer, p->dir == GRESEC_SA_DIR_OUT ?
		     gresec_udp_peer_pack(p->encap_peer_addr, p->encap_dport) :
		     gresec_udp_peer_pack(0, p->encap_sport));
	atomic_set(&sa->state, GRESEC_SA_STATE_ACTIVE);
	atomic64_set(&sa->oseq, 0);
	sa->lft = p->lft;
	sa->count_limits = p->lft.soft_bytes || p->lft.hard_bytes ||
			   p->lft.soft_packets || p->lft.hard_packets;
	sa->created = ktime_get_boottime_ns();
	sa->soft_deadline = gresec_sa_deadline(sa->created, p->lft.soft_time);
	sa->hard_deadline = gresec_sa_deadline(sa->created, p->lft.hard_time);

	sa->stats = alloc_percpu_gfp(struct gresec_sa_pcpu_stats,
				     GFP_KERNEL_ACCOUNT);
	if (!sa->stats)
		goto err;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sa->stats, cpu)->syncp);

	if (window) {
		unsigned long *ring;

		ring = kcalloc(gresec_replay_ring_words(window), sizeof(*ring),
			       GFP_KERNEL_ACCOUNT);
		if (!ring)
			goto err;
		gresec_replay_init(&sa->replay, window, ring);
	} else {
		gresec_replay_init(&sa->replay, 0, NULL);
	}

	/*
	 * kfree_sensitive() in gresec_sa_free() wipes it; the transform
	 * holds its own copy, which crypto_free_aead() wipes.
	 */
	sa->keys = kmalloc(p->key_len + p->auth_key_len, GFP_KERNEL_ACCOUNT);
	if (!sa->keys)
		goto err;
	if (p->key_len)
		memcpy(sa->keys, p->key, p->key_len);
	if (p->auth_key_len)
		memcpy(sa->keys + p->key_len, p->auth_key, p->auth_key_len);
	sa->key_len = p->key_len;
	sa->auth_key_len = p->auth_key_len;

	err = gresec_sa_init_aead(sa, desc, p, extack);
	if (err)
		goto err;
	return sa;

err:
	gresec_sa_free(sa);
	return ERR_PTR(err);
}

/* Frees at once: for SAs nobody else can see (self-tests, failed adds). */
void gresec_sa_free(struct gresec_sa *sa)
{
	/*
	 * Every queued packet holds a reference, so the queue is empty, but
	 * its work item may still be pending from the last packet's hand-over.
	 */
	gresec_par_queue_purge(&sa->rxq);
	/* The transform wipes its own copy of the key. */
	if (!IS_ERR_OR_NULL(sa->aead))
		crypto_free_aead(sa->aead);
	kfree_sensitive(sa->keys);
	kfree(sa->replay.ring);
	free_percpu(sa->stats);
	/* Never linked: unlinking released it otherwise. */
	gresec_udp_unlisten(sa->encap_listener);
	if (sa->tun)
		netdev_put(sa->tun->dev, &sa->dev_tracker);
	kfree(sa);
}

static void gresec_sa_free_worker(struct work_struct *work)
{
	gresec_sa_free(container_of(to_rcu_work(work), struct gresec_sa,
				    free_work));
}

static void gresec_sa_release(struct kref *ref)
{
	struct gresec_sa *sa = container_of(ref, struct gresec_sa, ref);

	/* Lookups under RCU may still see it; freeing the tfm may sleep. */
	queue_rcu_work(gresec_sa_wq, &sa->free_work);
}

void gresec_sa_put(struct gresec_sa *sa)
{
	kref_put(&sa->ref, gresec_sa_release);
}

void gresec_sa_lock(void)
{
	mutex_lock(&gresec_sa_mutex);
}

void gresec_sa_unlock(void)
{
	mutex_unlock(&gresec_sa_mutex);
}

/* For the data structures the mutex and RTNL both guard: either will do. */
#define gresec_sa_locked() \
	(lockdep_rtnl_is_held() || lockdep_is_held(&gresec_sa_mutex))

/* Once the handler is gone no event is being sent. */
void gresec_sa_event_handler_set(gresec_sa_event_fn fn)
{
	mutex_lock(&gresec_sa_mutex);
	gresec_sa_event_handler = fn;
	mutex_unlock(&gresec_sa_mutex);
}

static void gresec_sa_notify(struct gresec_sa *sa, enum gresec_sa_event event)
{
	lockdep_assert_held(&gresec_sa_mutex);
	if (gresec_sa_event_handler)
		gresec_sa_event_handler(sa, event);
}

static void gresec_sa_event_worker(struct work_struct *work)
{
	struct gresec_sa *sa = container_of(work, struct gresec_sa, event_work);
	unsigned int event;

	mutex_lock(&gresec_sa_mutex);
	for (event = GRESEC_SA_EVENT_SOFT_EXPIRED;
	     event <= GRESEC_SA_EVENT_MAPPING; event++)
		if (test_and_clear_bit(event, &sa->events) && !sa->dead)
			gresec_sa_notify(sa, event);
	mutex_unlock(&gresec_sa_mutex);
	gresec_sa_put(sa);
}

/* From any context: netlink wants process context and the SA lock. */
static void gresec_sa_event_queue(struct gresec_sa *sa,
				  enum gresec_sa_event event)
{
	if (!sa->tun)
		return;
	set_bit(event, &sa->events);
	kref_get(&sa->ref);
	if (!queue_work(gresec_sa_wq, &sa->event_work))
		gresec_sa_put(sa);
}

/*
 * Move forward in ACTIVE -> SOFT_EXPIRED -> EXPIRED | EXHAUSTED, once: the
 * CPU that wins the exchange sends the event.  EXPIRED and EXHAUSTED are
 * final.
 */
static void gresec_sa_transition(struct gresec_sa *sa, int to)
{
	int old = atomic_read(&sa->state);

	do {
		if (old >= to || old >= GRESEC_SA_STATE_EXPIRED)
			return;
	} while (!atomic_try_cmpxchg(&sa->state, &old, to));

	switch (to) {
	case GRESEC_SA_STATE_SOFT_EXPIRED:
		gresec_sa_event_queue(sa, GRESEC_SA_EVENT_SOFT_EXPIRED);
		break;
	case GRESEC_SA_STATE_EXPIRED:
		gresec_sa_event_queue(sa, GRESEC_SA_EVENT_HARD_EXPIRED);
		break;
	case GRESEC_SA_STATE_EXHAUSTED:
		gresec_sa_event_queue(sa, GRESEC_SA_EVENT_EXHAUSTED);
		break;
	}
}

static void gresec_sa_check_time(struct gresec_sa *sa, u64 now)
{
	if (now >= sa->hard_deadline)
		gresec_sa_transition(sa, GRESEC_SA_STATE_EXPIRED);
	else if (now >= sa->soft_deadline)
		gresec_sa_transition(sa, GRESEC_SA_STATE_SOFT_EXPIRED);
}

/*
 * Time limits fire from a timer so the key manager hears of them even
 * when no traffic flows.  The deadline is re-checked against boottime on
 * every run, so a long delay (suspend, the timer wheel's range) only makes
 * the timer run again.
 */
static void gresec_sa_life_arm(struct gresec_sa *sa, u64 now)
{
	int state = atomic_read(&sa->state);
	u64 next = U64_MAX;
	unsigned long delay;

	if (state >= GRESEC_SA_STATE_EXPIRED)
		return;
	if (state == GRESEC_SA_STATE_ACTIVE && sa->soft_deadline > now)
		next = sa->soft_deadline;
	if (sa->hard_deadline > now)
		next = min(next, sa->hard_deadline);
	if (next == U64_MAX)
		return;
	delay = min_t(u64, nsecs_to_jiffies64(next - now) + 1, 24 * 3600 * HZ);
	queue_delayed_work(gresec_sa_wq, &sa->life_work, delay);
}

static void gresec_sa_life_worker(struct work_struct *work)
{
	struct gresec_sa *sa = container_of(to_delayed_work(work),
					    struct gresec_sa, life_work);
	u64 now = ktime_get_boottime_ns();

	gresec_sa_check_time(sa, now);
	gresec_sa_life_arm(sa, now);
}

/*
 * Whether the data path may use @sa: 0 or the GRESEC_SA_STATS_A_DROP_*
 * counter of the reason.
 */
enum gresec_sa_stats_a gresec_sa_check(struct gresec_sa *sa)
{
	if (unlikely(sa->soft_deadline != U64_MAX ||
		     sa->hard_deadline != U64_MAX))
		gresec_sa_check_time(sa, ktime_get_coarse_boottime_ns());

	switch (atomic_read(&sa->state)) {
	case GRESEC_SA_STATE_EXPIRED:
		return GRESEC_SA_STATS_A_DROP_EXPIRED;
	case GRESEC_SA_STATE_EXHAUSTED:
		return GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED;
	}
	return 0;
}

/*
 * The next outbound sequence number.  The counter never wraps (RFC 4303
 * 3.3.3): handing out the last number exhausts the SA, and once it is
 * exhausted every caller gets DROP_SEQ_EXHAUSTED.
 */
enum gresec_sa_stats_a gresec_sa_next_seq(struct gresec_sa *sa, u64 *seq)
{
	u64 max = sa->esn ? U64_MAX : U32_MAX;
	u64 last = atomic64_fetch_add_unless(&sa->oseq, 1, (s64)max);

	if (unlikely(last == max)) {
		gresec_sa_transition(sa, GRESEC_SA_STATE_EXHAUSTED);
		return GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED;
	}
	*seq = last + 1;
	if (unlikely(*seq == max))
		gresec_sa_transition(sa, GRESEC_SA_STATE_EXHAUSTED);
	return 0;
}

/*
 * Count one packet of @bytes (the GRE packet ESP protects) against the
 * byte and packet limits.  The packet that reaches a hard limit still
 * passes; 0, or DROP_EXPIRED for packets beyond it.
 */
enum gresec_sa_stats_a gresec_sa_charge(struct gresec_sa *sa,
					unsigned int bytes)
{
	const struct gresec_sa_lifetime *lft = &sa->lft;
	u64 packets, total;

	if (!sa->count_limits)
		return 0;
	packets = atomic64_inc_return(&sa->life_packets);
	total = atomic64_add_return(bytes, &sa->life_bytes);
	if ((lft->hard_packets && packets > lft->hard_packets) ||
	    (lft->hard_bytes && total - bytes >= lft->hard_bytes)) {
		gresec_sa_transition(sa, GRESEC_SA_STATE_EXPIRED);
		return GRESEC_SA_STATS_A_DROP_EXPIRED;
	}
	if ((lft->hard_packets && packets >= lft->hard_packets) ||
	    (lft->hard_bytes && total >= lft->hard_bytes))
		gresec_sa_transition(sa, GRESEC_SA_STATE_EXPIRED);
	else if ((lft->soft_packets && packets >= lft->soft_packets) ||
		 (lft->soft_bytes && total >= lft->soft_bytes))
		gresec_sa_transition(sa, GRESEC_SA_STATE_SOFT_EXPIRED);
	return 0;
}

/*
 * NAT rebinding moved the peer of the UDP-encapsulated inbound SA @sa
 * (rx.c): count it and tell the key manager, from any context.
 */
void gresec_sa_mapping(struct gresec_sa *sa)
{
	gresec_sa_count(sa, GRESEC_SA_STATS_A_MAPPINGS);
	gresec_sa_event_queue(sa, GRESEC_SA_EVENT_MAPPING);
}

/*
 * The current outbound SA with a reference, if it may be used; an unusable
 * one counts the drop.  Caller is in the transmit path (RCU-bh).
 */
struct gresec_sa *gresec_sa_tx_get(struct gresec_tunnel *tun)
{
	struct gresec_sa *sa = rcu_dereference_bh(tun->tx_sa);
	enum gresec_sa_stats_a reason;

	if (!sa || !kref_get_unless_zero(&sa->ref))
		return NULL;
	reason = gresec_sa_check(sa);
	if (unlikely(reason)) {
		gresec_sa_count(sa, reason);
		gresec_sa_put(sa);
		return NULL;
	}
	return sa;
}

/* The inbound SA for @spi with a reference.  Caller holds RCU. */
struct gresec_sa *gresec_sa_rx_get(struct gresec_netns *gn, u32 spi)
{
	struct gresec_sa *sa;

	hlist_for_each_entry_rcu(sa, gresec_sa_bucket(gn, spi), spi_node)
		if (sa->spi == spi)
			return kref_get_unless_zero(&sa->ref) ? sa : NULL;
	return NULL;
}

static struct gresec_sa *gresec_sa_rx_find(struct gresec_netns *gn, u32 spi)
{
	struct gresec_sa *sa;

	lockdep_assert_held(&gresec_sa_mutex);
	hlist_for_each_entry(sa, gresec_sa_bucket(gn, spi), spi_node)
		if (sa->spi == spi)
			return sa;
	return NULL;
}

/* Whether an inbound SA of the namespace uses @spi (RTNL, then the SA lock). */
bool gresec_sa_rx_used(struct gresec_netns *gn, u32 spi)
{
	bool used;

	mutex_lock(&gresec_sa_mutex);
	used = gresec_sa_rx_find(gn, spi);
	mutex_unlock(&gresec_sa_mutex);
	return used;
}

struct gresec_sa *gresec_sa_find(struct gresec_tunnel *tun, u8 dir, u32 spi)
{
	struct gresec_sa *sa;

	lockdep_assert_held(&gresec_sa_mutex);
	gresec_tunnel_for_each_sa(tun, sa)
		if (sa->dir == dir && sa->spi == spi)
			return sa;
	return NULL;
}

unsigned int gresec_sa_tx_overhead(struct gresec_tunnel *tun)
{
	struct gresec_sa *sa = rcu_dereference_check(tun->tx_sa,
						     gresec_sa_locked());

	return sa ? gresec_sa_overhead(sa) + gresec_sa_encap_overhead(sa) : 0;
}

/*
 * Whether @sa may join @tun: inbound SPIs are unique per network namespace
 * (input finds the SA by SPI alone); outbound SPIs are chosen by the peer
 * and only unique per tunnel; a tunnel holds at most GRESEC_SA_MAX SAs, so
 * a key manager that never deletes cannot exhaust memory.  The second half
 * of an add, after gresec_sa_new() built the SA without any lock.
 */
int gresec_sa_link_check(struct gresec_tunnel *tun, const struct gresec_sa *sa,
			 struct netlink_ext_ack *extack)
{
	struct gresec_netns *gn = gresec_netns_get(dev_net(tun->dev));

	lockdep_assert_held(&gresec_sa_mutex);
	if (sa->dir == GRESEC_SA_DIR_IN && gresec_sa_rx_find(gn, sa->spi)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "spi: already used by an inbound SA in this network namespace");
		return -EEXIST;
	}
	if (sa->dir == GRESEC_SA_DIR_OUT &&
	    gresec_sa_find(tun, GRESEC_SA_DIR_OUT, sa->spi)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "spi: already used by an outbound SA of this tunnel");
		return -EEXIST;
	}
	if (tun->sa_count >= GRESEC_SA_MAX) {
		NL_SET_ERR_MSG_MOD(extack,
				   "sa: the tunnel has the most SAs it may hold (64); delete old ones first");
		return -ENOSPC;
	}
	return 0;
}

/*
 * Attach @sa, which gresec_sa_link_check() accepted, to @tun; cannot fail.
 * A new outbound SA replaces the current one in one step for the data path
 * (hitless rekey: the peer already has the matching inbound SA); the old
 * one stays listed until deleted.
 */
void gresec_sa_link(struct gresec_tunnel *tun, struct gresec_sa *sa)
{
	struct gresec_netns *gn = gresec_netns_get(dev_net(tun->dev));

	ASSERT_RTNL();
	lockdep_assert_held(&gresec_sa_mutex);
	sa->tun = tun;
	netdev_hold(tun->dev, &sa->dev_tracker, GFP_KERNEL);
	list_add_tail(&sa->tun_node, &tun->sa_list);
	tun->sa_count++;
	tun->sa_generation++;
	if (sa->dir == GRESEC_SA_DIR_IN)
		hlist_add_head_rcu(&sa->spi_node, gresec_sa_bucket(gn, sa->spi));
	else
		rcu_replace_pointer(tun->tx_sa, sa,
				    lockdep_is_held(&gresec_sa_mutex));
	gresec_sa_life_arm(sa, ktime_get_boottime_ns());
	gresec_sa_notify(sa, GRESEC_SA_EVENT_ADDED);
}

static void gresec_sa_unlink(struct gresec_sa *sa)
{
	struct gresec_tunnel *tun = sa->tun;

	ASSERT_RTNL();
	lockdep_assert_held(&gresec_sa_mutex);
	if (rcu_access_pointer(tun->tx_sa) == sa)
		RCU_INIT_POINTER(tun->tx_sa, NULL);
	if (!hlist_unhashed(&sa->spi_node))
		hlist_del_init_rcu(&sa->spi_node);
	list_del_init(&sa->tun_node);
	tun->sa_count--;
	tun->sa_generation++;
	sa->dead = true;
	/* Its packets are only received while it is linked. */
	gresec_udp_unlisten(sa->encap_listener);
	sa->encap_listener = NULL;
	/* The lifetime timer holds no reference and takes no lock. */
	cancel_delayed_work_sync(&sa->life_work);
}

/*
 * Unlink @sa, found by gresec_sa_find(), and drop the tunnel's reference.
 * Deleting the current outbound SA leaves the tunnel without one (no
 * fallback to an older SA): with protection REQUIRED it then drops.
 */
void gresec_sa_del(struct gresec_sa *sa)
{
	gresec_sa_unlink(sa);
	gresec_sa_notify(sa, GRESEC_SA_EVENT_DELETED);
	gresec_sa_put(sa);
}

/* Device teardown: every SA goes, without touching the tunnel config. */
void gresec_sa_flush(struct gresec_tunnel *tun)
{
	struct gresec_sa *sa, *tmp;

	list_for_each_entry_safe(sa, tmp, &tun->sa_list, tun_node) {
		gresec_sa_unlink(sa);
		gresec_sa_notify(sa, GRESEC_SA_EVENT_DELETED);
		gresec_sa_put(sa);
	}
}

static void gresec_sa_stats_fold(struct gresec_sa *sa,
				 u64 ctr[GRESEC_SA_STATS_A_MAX + 1])
{
	unsigned int cpu, i, start;

	memset(ctr, 0, sizeof(u64) * (GRESEC_SA_STATS_A_MAX + 1));
	for_each_possible_cpu(cpu) {
		const struct gresec_sa_pcpu_stats *s = per_cpu_ptr(sa->stats, cpu);
		u64 v[GRESEC_SA_STATS_A_MAX + 1];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i <= GRESEC_SA_STATS_A_MAX; i++)
				v[i] = u64_stats_read(&s->ctr[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i <= GRESEC_SA_STATS_A_MAX; i++)
			ctr[i] += v[i];
	}
}

void gresec_sa_fill_info(struct gresec_sa *sa, struct gresec_sa_info *out)
{
	u64 last;

	memset(out, 0, sizeof(*out));
	out->spi = sa->spi;
	out->dir = sa->dir;
	out->proposal = sa->proposal;
	out->esn = sa->esn;
	out->replay_window = sa->replay.window;
	out->state = atomic_read(&sa->state);
	out->lft = sa->lft;
	out->age = div_u64(ktime_get_boottime_ns() - sa->created, NSEC_PER_SEC);
	out->reqid = sa->reqid;
	last = READ_ONCE(sa->last_used);
	out->used = last != 0;
	if (out->used)
		out->idle = div_u64(get_jiffies_64() - last, HZ);
	if (sa->dir == GRESEC_SA_DIR_OUT) {
		last = atomic64_read(&sa->oseq);
		out->seq = last == U64_MAX ? U64_MAX : last + 1;
	} else {
		spin_lock_bh(&sa->replay_lock);
		out->seq = sa->replay.top;
		spin_unlock_bh(&sa->replay_lock);
	}
	gresec_sa_stats_fold(sa, out->stats);
	out->encap = sa->encap;
	out->mode = sa->mode;
	if (gresec_sa_udp(sa)) {
		last = atomic64_read(&sa->encap_peer);
		out->encap_sport = sa->encap_sport;
		out->encap_dport = sa->encap_dport;
		out->encap_peer_addr = gresec_udp_peer_addr(last);
		out->encap_peer_port = gresec_udp_peer_port(last);
	}
}

/*
 * Copy the inbound replay window (see gresec_replay_bitmap()) into @out,
 * at most @words u32s.  Returns the words written: 0 for outbound SAs and
 * disabled windows, else DIV_ROUND_UP(replay_window, 32) if it fits.
 */
unsigned int gresec_sa_replay_bitmap(struct gresec_sa *sa, u32 *out,
				     unsigned int words)
{
	unsigned int n;

	spin_lock_bh(&sa->replay_lock);
	n = gresec_replay_bitmap(&sa->replay, out, words);
	spin_unlock_bh(&sa->replay_lock);
	return n;
}

int gresec_sa_init(void)
{
	gresec_sa_wq = alloc_workqueue("gresec_sa", 0, 0);
	return gresec_sa_wq ? 0 : -ENOMEM;
}

/* After every tunnel is gone: wait for the last SAs to be freed. */
void gresec_sa_uninit(void)
{
	rcu_barrier();
	destroy_workqueue(gresec_sa_wq);
}
