// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: known-answer self-tests of the ESP transform.  Included into
 * esp.c in DEBUG builds and run from module init, on whatever AEAD
 * implementations the kernel picks (synchronous or not).
 *
 * - AES-GCM: the complete ESP packets of draft-mcgrew-gcm-test-01 section 4,
 *   with and without ESN: sealing the payload with the given sequence
 *   number and IV must give the packet byte for byte, opening the packet
 *   must give the plaintext and the trailer.  The AES-192 case and the GMAC
 *   case are left out: no proposal of ours uses them.
 * - AES-CBC with HMAC: RFC 3602 cases 5 and 6 give SPI, sequence number,
 *   IV and ciphertext; the ICV is checked against HMAC computed separately
 *   with the crypto API (over seq-hi too, with ESN), and the HMAC
 *   implementations themselves against RFC 2202 and RFC 4868.
 * - Every proposal round-trips, rejects a flipped bit and a wrong seq-hi.
 * - The trailer checks of gresec_esp_strip().
 * - Sequence number exhaustion (2^32 - 1, 2^64 - 1 with ESN) and byte and
 *   packet lifetimes, which no traffic test can reach.
 *
 * The vectors carry next header 1 (sic in the sources), so the tests drive
 * gresec_esp_seal() with an explicit next header.  Hex strings are the
 * documents' own.
 */

#include <crypto/hash.h>
#include <linux/completion.h>
#include <linux/kernel.h>

struct gresec_esp_gcm_vector {
	u8 tc;			/* test case number in document order */
	bool esn;
	u32 spi;
	u64 seq;
	const char *keymat;	/* key || salt */
	const char *iv;
	const char *plaintext;	/* payload || padding || pad length || NH */
	const char *packet;	/* SPI .. ICV */
};

struct gresec_esp_cbc_vector {
	u8 tc;
	u32 spi;
	u32 seq;
	u8 next_header;
	const char *key;
	const char *iv;
	const char *payload;
	const char *esp_packet;	/* SPI .. ciphertext, no ICV */
};

struct gresec_esp_hmac_vector {
	const char *alg;
	u8 tc;
	const char *key;
	const char *data;
	const char *digest;
};

/* draft-mcgrew-gcm-test-01 section 4 (AES-128 and AES-256 GCM cases) */
static const struct gresec_esp_gcm_vector gresec_esp_gcm_vectors[] __initconst = {
	{
		.tc = 1, .esn = true, .spi = 0x00004321, .seq = 0x8765432100000000ULL,
		.keymat =
		"4c80cdefbb5d10da906ac73c3613a6342e443b68",
		.iv =
		"4956ed7e3b244cfe",
		.plaintext =
		"45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201",
		.packet =
		"00004321000000004956ed7e3b244cfefecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe722fd04796562dfdb4",
	},
	{
		.tc = 2, .esn = false, .spi = 0x0000a5f8, .seq = 0xaULL,
		.keymat =
		"feffe9928665731c6d6a8f9467308308cafebabe",
		.iv =
		"facedbaddecaf888",
		.plaintext =
		"4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369700963796265726369747902646b00000100010001",
		.packet =
		"0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a",
	},
	{
		.tc = 3, .esn = false, .spi = 0x4a2cbfe3, .seq = 0x2ULL,
		.keymat =
		"abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344",
		.iv =
		"0102030405060708",
		.plaintext =
		"4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201",
		.packet =
		"4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96",
	},
	{
		.tc = 4, .esn = false, .spi = 0x00000000, .seq = 0x1ULL,
		.keymat =
		"0000000000000000000000000000000000000000",
		.iv =
		"0000000000000000",
		.plaintext =
		"4500003c99c500008001cb7a40679318010101010800075c020044006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
		.packet =
		"000000000000000100000000000000004688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3f821d496eeb096e98ad2b69e4799c71d",
	},
	{
		.tc = 5, .esn = true, .spi = 0x42f67e3f, .seq = 0x1010101010101010ULL,
		.keymat =
		"3de09874b388e6491988d0c3607eae1f57690e43",
		.iv =
		"4e280000a2fca1a3",
		.plaintext =
		"4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
		.packet =
		"42f67e3f101010104e280000a2fca1a3fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48",
	},
	{
		.tc = 6, .esn = true, .spi = 0x42f67e3f, .seq = 0x1010101010101010ULL,
		.keymat =
		"3de09874b388e6491988d0c3607eae1f57690e43",
		.iv =
		"4e280000a2fca1a3",
		.plaintext =
		"4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
		.packet =
		"42f67e3f101010104e280000a2fca1a3fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f35e034be95f112e4e7d05d35",
	},
	{
		.tc = 8, .esn = true, .spi = 0x00000100, .seq = 0x1ULL,
		.keymat =
		"abbccddef00112233445566778899aabdecaf888",
		.iv =
		"cafedebaceface74",
		.plaintext =
		"4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101",
		.packet =
		"0000010000000001cafedebaceface7418a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e65f354f75ff17015769623436",
	},
	{
		.tc = 9, .esn = true, .spi = 0x17405e67, .seq = 0x156f3126dd0db99bULL,
		.keymat =
		"abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
		.iv =
		"616e640169766563",
		.plaintext =
		"45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001",
		.packet =
		"17405e67dd0db99b616e640169766563f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e451626c2415771e3b7eebca614c89b35",
	},
	{
		.tc = 10, .esn = true, .spi = 0x42f67e3f, .seq = 0x1010101010101010ULL,
		.keymat =
		"3de09874b388e6491988d0c3607eae1f57690e43",
		.iv =
		"4e280000a2fca1a3",
		.plaintext =
		"45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101",
		.packet =
		"42f67e3f101010104e280000a2fca1a3fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2",
	},
	{
		.tc = 11, .esn = true, .spi = 0x17405e67, .seq = 0x156f3126dd0db99bULL,
		.keymat =
		"abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
		.iv =
		"616e640169766563",
		.plaintext =
		"636973636f0172756c657301746865016e6574776501646566696e6501746865746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201",
		.packet =
		"17405e67dd0db99b616e640169766563d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8c0cac587f249e56b11e24f30e44ccc76",
	},
	{
		.tc = 12, .esn = false, .spi = 0x335467ae, .seq = 0xffffffffULL,
		.keymat =
		"7d773d00c144c525ac619d18c84a3f47d9664267",
		.iv =
		"43457e9182443bc6",
		.plaintext =
		"01020201",
		.packet =
		"335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c4504bef270",
	},
	{
		.tc = 13, .esn = true, .spi = 0x00000100, .seq = 0x1ULL,
		.keymat =
		"abbccddef00112233445566778899aabdecaf888",
		.iv =
		"cafedebaceface74",
		.plaintext =
		"746f016265016f72016e6f7401746f0162650001",
		.packet =
		"0000010000000001cafedebaceface7429c9fc69a197d038ccdd14e2ddfcaa0543332164412503524303ed3c6c5f283843af8c3e",
	},
	{
		.tc = 14, .esn = true, .spi = 0x796b6963, .seq = 0xffffffffffffffffULL,
		.keymat =
		"6c6567616c697a656d6172696a75616e61616e64646f69746265666f726569617475726e",
		.iv =
		"333021696765746d",
		.plaintext =
		"45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
		.packet =
		"796b6963ffffffff333021696765746df97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a329fb4c053",
	},
	{
		.tc = 16, .esn = true, .spi = 0x3f7ef642, .seq = 0x1010101010101010ULL,
		.keymat =
		"3de09874b388e6491988d0c3607eae1f57690e43",
		.iv =
		"4e280000a2fca1a3",
		.plaintext =
		"45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
		.packet =
		"3f7ef642101010104e280000a2fca1a3fba2caa8c6c5f9f0f22ca54a061210ad3f6e5791cf1aca210d117cec9c35791765acbd8701ad79845bf9fe3fba487bc96321930684eecadb56912546e7a95c9740d7cb05",
	},
	{
		.tc = 17, .esn = true, .spi = 0x00004321, .seq = 0x8765432100000007ULL,
		.keymat =
		"4c80cdefbb5d10da906ac73c3613a63422433c64",
		.iv =
		"4855ec7d3a234bfd",
		.plaintext =
		"0800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
		.packet =
		"00004321000000074855ec7d3a234bfd74752e8aeb5d873cd7c0f4acc36c4bff84b7d7b98f0ca8b6acda6894bc619069ef9cbc28fe1b56a7c4e0d58c86cd2bc0",
	},
};

/* RFC 3602 section 4, cases 5 and 6 (transport mode, AES-128-CBC) */
static const struct gresec_esp_cbc_vector gresec_esp_cbc_vectors[] __initconst = {
	{
		.tc = 5, .spi = 0x00004321, .seq = 1, .next_header = 1,
		.key =
		"90d382b410eeba7ad938c46cec1a82bf",
		.iv =
		"e96e8c08ab465763fd098d45dd3ff893",
		.payload =
		"08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
		.esp_packet =
		"0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6",
	},
	{
		.tc = 6, .spi = 0x00004321, .seq = 8, .next_header = 1,
		.key =
		"90d382b410eeba7ad938c46cec1a82bf",
		.iv =
		"69d08df7d203329db093fc4924e5bd80",
		.payload =
		"0800b5e8a80a0500a69c083d0b660e00777777777777777777777777",
		.esp_packet =
		"000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75",
	},
};

/* RFC 2202 (HMAC-MD5, HMAC-SHA-1) and RFC 4868 2.7.2.1 (HMAC-SHA-256) */
static const struct gresec_esp_hmac_vector gresec_esp_hmac_vectors[] __initconst = {
	/* RFC 2202 2 */
	{
		.alg = "hmac(md5)", .tc = 1,
		.key =
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		.data =
		"4869205468657265",
		.digest =
		"9294727a3638bb1c13f48ef8158bfc9d",
	},
	{
		.alg = "hmac(md5)", .tc = 2,
		.key =
		"4a656665",
		.data =
		"7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		.digest =
		"750c783e6ab0b503eaa86e310a5db738",
	},
	{
		.alg = "hmac(md5)", .tc = 3,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		.digest =
		"56be34521d144c88dbb8c733f0e8b3f6",
	},
	{
		.alg = "hmac(md5)", .tc = 4,
		.key =
		"0102030405060708090a0b0c0d0e0f10111213141516171819",
		.data =
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		.digest =
		"697eaf0aca3a3aea3a75164746ffaa79",
	},
	{
		.alg = "hmac(md5)", .tc = 5,
		.key =
		"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		.data =
		"546573742057697468205472756e636174696f6e",
		.digest =
		"56461ef2342edc00f9bab995690efd4c",
	},
	{
		.alg = "hmac(md5)", .tc = 6,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		.digest =
		"6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
	},
	{
		.alg = "hmac(md5)", .tc = 7,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b657920616e64204c6172676572205468616e204f6e6520426c6f636b2d53697a652044617461",
		.digest =
		"6f630fad67cda0ee1fb1f562db3aa53e",
	},
	/* RFC 2202 3 */
	{
		.alg = "hmac(sha1)", .tc = 1,
		.key =
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		.data =
		"4869205468657265",
		.digest =
		"b617318655057264e28bc0b6fb378c8ef146be00",
	},
	{
		.alg = "hmac(sha1)", .tc = 2,
		.key =
		"4a656665",
		.data =
		"7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		.digest =
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	},
	{
		.alg = "hmac(sha1)", .tc = 3,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		.digest =
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3",
	},
	{
		.alg = "hmac(sha1)", .tc = 4,
		.key =
		"0102030405060708090a0b0c0d0e0f10111213141516171819",
		.data =
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		.digest =
		"4c9007f4026250c6bc8414f9bf50c86c2d7235da",
	},
	{
		.alg = "hmac(sha1)", .tc = 5,
		.key =
		"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		.data =
		"546573742057697468205472756e636174696f6e",
		.digest =
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
	},
	{
		.alg = "hmac(sha1)", .tc = 6,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		.digest =
		"aa4ae5e15272d00e95705637ce8a3b55ed402112",
	},
	{
		.alg = "hmac(sha1)", .tc = 7,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b657920616e64204c6172676572205468616e204f6e6520426c6f636b2d53697a652044617461",
		.digest =
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	},
	/* RFC 4868 2.7.2.1 */
	{
		.alg = "hmac(sha256)", .tc = 1,
		.key =
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		.data =
		"4869205468657265",
		.digest =
		"198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7",
	},
	{
		.alg = "hmac(sha256)", .tc = 2,
		.key =
		"4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
		.data =
		"7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		.digest =
		"167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6",
	},
	{
		.alg = "hmac(sha256)", .tc = 3,
		.key =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		.data =
		"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		.digest =
		"cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0",
	},
	{
		.alg = "hmac(sha256)", .tc = 4,
		.key =
		"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		.data =
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		.digest =
		"372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f",
	},
};

#define GRESEC_ESP_TEST_MAX	256
#define GRESEC_ESP_TEST_ROOM	64	/* head and tail room of test skbs */

/* Scratch space, off the stack. */
struct gresec_esp_test {
	u8 key[128];
	u8 auth_key[128];
	u8 iv[GRESEC_SA_IVLEN_MAX];
	u8 plain[GRESEC_ESP_TEST_MAX];
	u8 packet[GRESEC_ESP_TEST_MAX];
	u8 buf[GRESEC_ESP_TEST_MAX];
	u8 digest[64];
	struct completion done;
	int err;
};

/* Self-tests run one at a time from module init. */
static struct gresec_esp_test *gresec_esp_test_ctx;

static int __init gresec_esp_test_hex(u8 *out, size_t max, const char *hex)
{
	size_t n = strlen(hex) / 2;

	if (n > max || hex2bin(out, hex, n))
		return -1;
	return n;
}

static void gresec_esp_test_done(struct sk_buff *skb, int err)
{
	gresec_esp_test_ctx->err = err;
	complete(&gresec_esp_test_ctx->done);
}

/* The result of a seal/open call, waiting if the AEAD went asynchronous. */
static int __init gresec_esp_test_wait(struct gresec_esp_test *t, int err)
{
	if (err != -EINPROGRESS)
		return err;
	wait_for_completion(&t->done);
	return t->err;
}

/* A linear skb holding @data; the head room stands in for the IP header. */
static struct sk_buff *__init gresec_esp_test_skb(const u8 *data,
						  unsigned int len)
{
	struct sk_buff *skb;

	skb = alloc_skb(GRESEC_ESP_TEST_ROOM * 2 + len, GFP_KERNEL);
	if (!skb)
		return NULL;
	memset(skb->head, 0xa5, GRESEC_ESP_TEST_ROOM);
	skb_reserve(skb, GRESEC_ESP_TEST_ROOM);
	skb_put_data(skb, data, len);
	return skb;
}

/*
 * An skb holding @data with all but its first @head bytes in a page
 * fragment.  With @shared the test keeps a reference to the page, as TCP
 * keeps its payload for retransmission: then nothing may write to it.
 */
static struct sk_buff *__init gresec_esp_test_paged_skb(const u8 *data,
							unsigned int len,
							unsigned int head,
							bool shared,
							struct page **pagep)
{
	struct sk_buff *skb = gresec_esp_test_skb(data, head);
	struct page *page;

	if (!skb)
		return NULL;
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		kfree_skb(skb);
		return NULL;
	}
	memcpy(page_address(page), data + head, len - head);
	skb_fill_page_desc(skb, 0, page, 0, len - head);
	skb->len += len - head;
	skb->data_len += len - head;
	skb->truesize += PAGE_SIZE;
	if (shared)
		get_page(page);
	*pagep = page;
	return skb;
}

/* Seal @skb; the sealed packet, or NULL (@skb freed). */
static struct sk_buff *__init gresec_esp_test_seal_skb(struct gresec_esp_test *t,
						       struct gresec_sa *sa,
						       struct sk_buff *skb,
						       u64 seq, const u8 *iv,
						       u8 nexthdr)
{
	int err;

	if (!skb)
		return NULL;
	reinit_completion(&t->done);
	err = gresec_esp_seal(sa, skb, seq, iv, nexthdr, gresec_esp_test_done);
	if (gresec_esp_test_wait(t, err)) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static struct sk_buff *__init gresec_esp_test_seal(struct gresec_esp_test *t,
						   struct gresec_sa *sa,
						   const u8 *payload,
						   unsigned int len, u64 seq,
						   const u8 *iv, u8 nexthdr)
{
	return gresec_esp_test_seal_skb(t, sa, gresec_esp_test_skb(payload, len),
					seq, iv, nexthdr);
}

/*
 * The payload half in a page the sender keeps: the packet must come out
 * byte for byte as when sealed in place, and the page untouched.
 */
static bool __init gresec_esp_test_seal_paged(struct gresec_esp_test *t,
					      struct gresec_sa *sa,
					      unsigned int payload_len, u64 seq,
					      const u8 *packet,
					      unsigned int packet_len, u8 nexthdr)
{
	unsigned int head = payload_len / 2;
	struct sk_buff *skb;
	struct page *page;
	bool ok;

	skb = gresec_esp_test_paged_skb(t->plain, payload_len, head, true,
					&page);
	if (!skb)
		return false;
	skb = gresec_esp_test_seal_skb(t, sa, skb, seq, t->iv, nexthdr);
	ok = skb && skb->len == packet_len &&
	     !skb_copy_bits(skb, 0, t->buf, packet_len) &&
	     !memcmp(t->buf, packet, packet_len) &&
	     !memcmp(page_address(page), t->plain + head, payload_len - head);
	kfree_skb(skb);
	put_page(page);
	return ok;
}

/*
 * Open @skb (freed unless handed back); on success *@skbp holds the
 * verified, decrypted packet with skb->data still at the ESP header.  The
 * bytes in front of the header must come back unchanged (ESN borrows them).
 */
static int __init gresec_esp_test_open_skb(struct gresec_esp_test *t,
					   struct gresec_sa *sa,
					   struct sk_buff *skb, u64 seq,
					   struct sk_buff **skbp)
{
	int err;

	if (!skb)
		return -ENOMEM;
	reinit_completion(&t->done);
	err = gresec_esp_test_wait(t, gresec_esp_open(sa, skb, seq,
						      gresec_esp_test_done));
	if (!err && memchr_inv(skb->data - 4, 0xa5, 4))
		err = -EFAULT;
	if (err || !skbp)
		kfree_skb(skb);
	else
		*skbp = skb;
	return err;
}

static int __init gresec_esp_test_open(struct gresec_esp_test *t,
				       struct gresec_sa *sa, const u8 *packet,
				       unsigned int len, u64 seq,
				       struct sk_buff **skbp)
{
	return gresec_esp_test_open_skb(t, sa, gresec_esp_test_skb(packet, len),
					seq, skbp);
}

/* @packet with its second half in a page fragment: decrypted in place. */
static bool __init gresec_esp_test_open_paged(struct gresec_esp_test *t,
					      struct gresec_sa *sa,
					      const u8 *packet, unsigned int len,
					      u64 seq, unsigned int plain_len)
{
	struct sk_buff *skb;
	struct page *page;
	bool ok;

	skb = gresec_esp_test_paged_skb(packet, len, len / 2, false, &page);
	if (gresec_esp_test_open_skb(t, sa, skb, seq, &skb))
		return false;
	ok = !skb_copy_bits(skb, 8 + sa->ivlen, t->buf, plain_len) &&
	     !memcmp(t->buf, t->plain, plain_len);
	kfree_skb(skb);
	return ok;
}

/* Open, strip, and compare with the payload and next header expected. */
static bool __init gresec_esp_test_roundtrip(struct gresec_esp_test *t,
					     struct gresec_sa *sa,
					     const u8 *packet, unsigned int len,
					     u64 seq, const u8 *payload,
					     unsigned int payload_len, u8 nexthdr)
{
	struct sk_buff *skb;
	bool ok;
	u8 nh;

	if (gresec_esp_test_open(t, sa, packet, len, seq, &skb))
		return false;
	ok = !gresec_esp_strip(sa, skb, &nh) && nh == nexthdr &&
	     skb->len == payload_len && !memcmp(skb->data, payload, payload_len);
	kfree_skb(skb);
	return ok;
}

/* A flipped bit anywhere, or a wrong seq-hi with ESN, must not verify. */
static bool __init gresec_esp_test_forgery(struct gresec_esp_test *t,
					   struct gresec_sa *sa, u8 *packet,
					   unsigned int len, u64 seq)
{
	unsigned int pos[] = { 0, 5, len / 2, len - 1 };
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pos); i++) {
		packet[pos[i]] ^= 0x10;
		ok &= gresec_esp_test_open(t, sa, packet, len, seq, NULL) ==
		      -EBADMSG;
		packet[pos[i]] ^= 0x10;
	}
	if (sa->esn)
		ok &= gresec_esp_test_open(t, sa, packet, len,
					   seq ^ (1ULL << 32), NULL) == -EBADMSG;
	return ok && !gresec_esp_test_open(t, sa, packet, len, seq, NULL);
}

static struct gresec_sa *__init gresec_esp_test_sa(u32 proposal, u32 spi,
						   bool esn, const u8 *key,
						   unsigned int key_len,
						   const u8 *auth_key,
						   unsigned int auth_key_len)
{
	struct gresec_sa_params p;

	gresec_sa_params_init(&p);
	p.spi = spi;
	p.dir = GRESEC_SA_DIR_OUT;
	p.proposal = proposal;
	p.esn = esn;
	p.key = key;
	p.key_len = key_len;
	p.auth_key = auth_key;
	p.auth_key_len = auth_key_len;
	return gresec_sa_new(&p, NULL);
}

static bool __init gresec_esp_test_gcm(struct gresec_esp_test *t,
				       const struct gresec_esp_gcm_vector *v)
{
	int key_len, plain_len, packet_len, payload_len;
	struct gresec_sa *sa;
	struct sk_buff *skb;
	bool ok = false;
	u8 nh;

	key_len = gresec_esp_test_hex(t->key, sizeof(t->key), v->keymat);
	plain_len = gresec_esp_test_hex(t->plain, sizeof(t->plain),
					v->plaintext);
	packet_len = gresec_esp_test_hex(t->packet, sizeof(t->packet),
					 v->packet);
	if (key_len < 0 || plain_len < 2 || packet_len < 0 ||
	    gresec_esp_test_hex(t->iv, sizeof(t->iv), v->iv) != 8)
		return false;
	nh = t->plain[plain_len - 1];
	payload_len = plain_len - 2 - t->plain[plain_len - 2];

	sa = gresec_esp_test_sa(key_len == 20 ? GRESEC_PROPOSAL_AES128GCM16 :
				GRESEC_PROPOSAL_AES256GCM16, v->spi, v->esn,
				t->key, key_len, NULL, 0);
	if (IS_ERR(sa))
		return false;

	skb = gresec_esp_test_seal(t, sa, t->plain, payload_len, v->seq, t->iv,
				   nh);
	if (!skb || skb->len != packet_len ||
	    memcmp(skb->data, t->packet, packet_len))
		goto out;
	kfree_skb(skb);

	/* The decrypted trailer too, before strip() takes it off. */
	if (gresec_esp_test_open(t, sa, t->packet, packet_len, v->seq, &skb))
		goto out_sa;
	ok = !memcmp(skb->data + 8 + sa->ivlen, t->plain, plain_len);
	kfree_skb(skb);
	skb = NULL;
	ok = ok && gresec_esp_test_roundtrip(t, sa, t->packet, packet_len,
					     v->seq, t->plain, payload_len, nh);
	ok = ok && gresec_esp_test_forgery(t, sa, t->packet, packet_len,
					   v->seq);
	ok = ok && (payload_len < 2 ||
		    gresec_esp_test_seal_paged(t, sa, payload_len, v->seq,
					       t->packet, packet_len, nh));
	ok = ok && gresec_esp_test_open_paged(t, sa, t->packet, packet_len,
					      v->seq, plain_len);
out:
	kfree_skb(skb);
out_sa:
	gresec_sa_free(sa);
	return ok;
}

/* HMAC-@alg over @len bytes of @data with @key into t->digest. */
static int __init gresec_esp_test_hmac_digest(struct gresec_esp_test *t,
					      const char *alg, const u8 *key,
					      unsigned int key_len,
					      const u8 *data, unsigned int len)
{
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, key, key_len);
	if (!err)
		err = crypto_shash_tfm_digest(tfm, data, len, t->digest);
	crypto_free_shash(tfm);
	return err;
}

static bool __init gresec_esp_test_hmac(struct gresec_esp_test *t,
					const struct gresec_esp_hmac_vector *v)
{
	int key_len, len, digest_len;
	u8 digest[64];

	key_len = gresec_esp_test_hex(t->key, sizeof(t->key), v->key);
	len = gresec_esp_test_hex(t->plain, sizeof(t->plain), v->data);
	digest_len = gresec_esp_test_hex(digest, sizeof(digest), v->digest);
	if (key_len < 0 || len < 0 || digest_len < 0)
		return false;
	return !gresec_esp_test_hmac_digest(t, v->alg, t->key, key_len,
					    t->plain, len) &&
	       !memcmp(t->digest, digest, digest_len);
}

struct gresec_esp_cbc_suite {
	u32 proposal;
	const char *hmac;
	u8 auth_key_len;
	u8 icv_len;
};

/*
 * RFC 3602 gives the ciphertext; the ICV must be the truncated HMAC of
 * SPI | seq | IV | ciphertext (| seq-hi with ESN, RFC 4303 2.2.1).
 */
static bool __init gresec_esp_test_cbc(struct gresec_esp_test *t,
				       const struct gresec_esp_cbc_vector *v,
				       const struct gresec_esp_cbc_suite *s,
				       bool esn)
{
	int key_len, payload_len, esp_len;
	u64 seq = (esn ? 0x01020304ULL << 32 : 0) | v->seq;
	struct sk_buff *skb = NULL;
	struct gresec_sa *sa;
	bool ok = false;

	key_len = gresec_esp_test_hex(t->key, sizeof(t->key), v->key);
	payload_len = gresec_esp_test_hex(t->plain, sizeof(t->plain),
					  v->payload);
	esp_len = gresec_esp_test_hex(t->packet, sizeof(t->packet) - 32,
				      v->esp_packet);
	if (key_len < 0 || payload_len < 0 || esp_len < 0 ||
	    gresec_esp_test_hex(t->iv, sizeof(t->iv), v->iv) != 16)
		return false;
	memset(t->auth_key, 0x0b, s->auth_key_len);

	sa = gresec_esp_test_sa(s->proposal, v->spi, esn, t->key, key_len,
				t->auth_key, s->auth_key_len);
	if (IS_ERR(sa))
		return false;

	/* Expected ICV, computed over the RFC's packet. */
	if (esn)
		put_unaligned_be32(upper_32_bits(seq), t->packet + esp_len);
	if (gresec_esp_test_hmac_digest(t, s->hmac, t->auth_key,
					s->auth_key_len, t->packet,
					esp_len + (esn ? 4 : 0)))
		goto out;
	memcpy(t->packet + esp_len, t->digest, s->icv_len);

	skb = gresec_esp_test_seal(t, sa, t->plain, payload_len, seq, t->iv,
				   v->next_header);
	if (!skb || skb->len != esp_len + s->icv_len ||
	    memcmp(skb->data, t->packet, esp_len + s->icv_len))
		goto out;
	ok = gresec_esp_test_roundtrip(t, sa, t->packet, esp_len + s->icv_len,
				       seq, t->plain, payload_len,
				       v->next_header) &&
	     gresec_esp_test_forgery(t, sa, t->packet, esp_len + s->icv_len,
				     seq);
out:
	kfree_skb(skb);
	gresec_sa_free(sa);
	return ok;
}

struct gresec_esp_proposal {
	u32 proposal;
	const char *name;
	u8 key_len;
	u8 auth_key_len;
};

/* The key sizes of the uapi documentation, checked against sa.c's table. */
static const struct gresec_esp_proposal gresec_esp_test_proposals[] __initconst = {
	{ GRESEC_PROPOSAL_AES128GCM16, "aes128gcm16", 20, 0 },
	{ GRESEC_PROPOSAL_AES256GCM16, "aes256gcm16", 36, 0 },
	{ GRESEC_PROPOSAL_AES128_SHA256, "aes128-sha256", 16, 32 },
	{ GRESEC_PROPOSAL_AES256_SHA256, "aes256-sha256", 32, 32 },
	{ GRESEC_PROPOSAL_AES128_SHA1, "aes128-sha1", 16, 20 },
	{ GRESEC_PROPOSAL_AES256_SHA1, "aes256-sha1", 32, 20 },
	{ GRESEC_PROPOSAL_AES128_MD5, "aes128-md5", 16, 16 },
	{ GRESEC_PROPOSAL_CHACHA20POLY1305, "chacha20poly1305", 36, 0 },
};

/* Every proposal, payload sizes around the block size, GRE as next header. */
static bool __init gresec_esp_test_proposal(struct gresec_esp_test *t,
					    const struct gresec_esp_proposal *d,
					    bool esn)
{
	u64 seq = esn ? 0xfffffffeULL : 7;
	struct gresec_sa_params p;
	struct gresec_sa *sa;
	struct sk_buff *skb;
	unsigned int len;
	bool ok = true;

	memset(t->key, 0x3c, d->key_len);
	memset(t->auth_key, 0xc3, d->auth_key_len);
	gresec_sa_params_init(&p);
	p.spi = 0x1000 + d->proposal;
	p.dir = GRESEC_SA_DIR_IN;
	p.proposal = d->proposal;
	p.esn = esn;
	p.key = t->key;
	p.key_len = d->key_len;
	p.auth_key = d->auth_key_len ? t->auth_key : NULL;
	p.auth_key_len = d->auth_key_len;
	if (gresec_sa_check_params(&p, NULL))
		return false;
	p.key_len--;
	if (gresec_sa_check_params(&p, NULL) != -EINVAL)
		return false;
	p.key_len++;
	p.auth_key_len ^= 1;
	if (gresec_sa_check_params(&p, NULL) != -EINVAL)
		return false;
	p.auth_key_len ^= 1;
	sa = gresec_sa_new(&p, NULL);
	if (IS_ERR(sa))
		return false;
	for (len = 0; len <= 40 && ok; len++, seq += 0x80000000ULL) {
		get_random_bytes(t->plain, len);
		get_random_bytes(t->iv, sa->ivlen);
		skb = gresec_esp_test_seal(t, sa, t->plain, len, seq, t->iv,
					   IPPROTO_GRE);
		if (!skb) {
			ok = false;
			break;
		}
		ok = skb->len == 8 + sa->ivlen + ALIGN(len + 2, sa->align) +
				 sa->icvlen &&
		     get_unaligned_be32(skb->data) == sa->spi &&
		     get_unaligned_be32(skb->data + 4) == lower_32_bits(seq) &&
		     !memcmp(skb->data + 8, t->iv, sa->ivlen) &&
		     skb->len <= sizeof(t->packet);
		if (ok) {
			memcpy(t->packet, skb->data, skb->len);
			/*
			 * Forgeries on a few sizes: this runs at every debug
			 * module load, and one size per block phase is enough.
			 */
			ok = gresec_esp_test_roundtrip(t, sa, t->packet,
						       skb->len, seq, t->plain,
						       len, IPPROTO_GRE) &&
			     (len % 13 ||
			      gresec_esp_test_forgery(t, sa, t->packet,
						      skb->len, seq));
		}
		kfree_skb(skb);
	}
	gresec_sa_free(sa);
	return ok;
}

struct gresec_esp_strip_case {
	u8 trailer[6];		/* padding | pad length | next header */
	unsigned int len;
	int result;
};

static const struct gresec_esp_strip_case gresec_esp_strip_cases[] __initconst = {
	{ { 1, 2, 3, 3, 47 }, 5, 0 },
	{ { 1, 2, 4, 3, 47 }, 5, GRESEC_SA_STATS_A_DROP_BAD_LENGTH },
	{ { 0, 47 }, 2, 0 },
	{ { 200, 47 }, 2, GRESEC_SA_STATS_A_DROP_BAD_LENGTH },
	{ { 1, 2, 3, 4, 4, 59 }, 6, 0 },
};

/* The trailer checks on an already decrypted packet. */
static bool __init gresec_esp_test_strip(struct gresec_esp_test *t)
{
	const struct gresec_esp_strip_case *c = gresec_esp_strip_cases;
	struct gresec_sa *sa;
	struct sk_buff *skb;
	unsigned int i, n;
	bool ok = true;
	u8 nh;

	memset(t->key, 0x11, 20);
	sa = gresec_esp_test_sa(GRESEC_PROPOSAL_AES128GCM16, 0x100, false,
				t->key, 20, NULL, 0);
	if (IS_ERR(sa))
		return false;
	for (i = 0; i < ARRAY_SIZE(gresec_esp_strip_cases) && ok; i++, c++) {
		/* header | IV | 3-byte payload | trailer | ICV */
		memset(t->packet, 0xee, 16 + 3);
		n = 16 + 3;
		memcpy(t->packet + n, c->trailer, c->len);
		n += c->len;
		memset(t->packet + n, 0xff, sa->icvlen);
		n += sa->icvlen;
		skb = gresec_esp_test_skb(t->packet, n);
		if (!skb)
			break;
		ok = gresec_esp_strip(sa, skb, &nh) == c->result &&
		     (c->result ||
		      (skb->len == 3 && nh == c->trailer[c->len - 1]));
		kfree_skb(skb);
	}
	gresec_sa_free(sa);
	return ok && i == ARRAY_SIZE(gresec_esp_strip_cases);
}

/* Sequence number space and lifetimes of an SA without a tunnel. */
static bool __init gresec_esp_test_limits(struct gresec_esp_test *t)
{
	struct gresec_sa_lifetime lft = {
		.soft_packets = 3, .hard_packets = 5, .hard_bytes = 1000,
	};
	struct gresec_sa *sa;
	bool ok = true;
	unsigned int i;
	int esn;
	u64 seq;

	memset(t->key, 0x22, 20);
	for (esn = 0; esn < 2 && ok; esn++) {
		u64 max = esn ? U64_MAX : U32_MAX;

		sa = gresec_esp_test_sa(GRESEC_PROPOSAL_AES128GCM16, 0x100, esn,
					t->key, 20, NULL, 0);
		if (IS_ERR(sa))
			return false;
		ok &= !gresec_sa_next_seq(sa, &seq) && seq == 1;
		/* The last number is sent and exhausts the SA; none follows. */
		atomic64_set(&sa->oseq, max - 2);
		ok &= !gresec_sa_next_seq(sa, &seq) && seq == max - 1;
		ok &= !gresec_sa_check(sa);
		ok &= !gresec_sa_next_seq(sa, &seq) && seq == max;
		ok &= atomic_read(&sa->state) == GRESEC_SA_STATE_EXHAUSTED;
		ok &= gresec_sa_check(sa) == GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED;
		for (i = 0; i < 3; i++)
			ok &= gresec_sa_next_seq(sa, &seq) ==
			      GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED;
		ok &= atomic64_read(&sa->oseq) == max;
		gresec_sa_free(sa);
	}

	sa = gresec_esp_test_sa(GRESEC_PROPOSAL_AES128GCM16, 0x100, false,
				t->key, 20, NULL, 0);
	if (IS_ERR(sa))
		return false;
	sa->lft = lft;
	sa->count_limits = true;
	for (i = 1; i <= 5; i++) {
		ok &= !gresec_sa_charge(sa, 10);
		ok &= atomic_read(&sa->state) ==
		      (i < 3 ? GRESEC_SA_STATE_ACTIVE :
		       i < 5 ? GRESEC_SA_STATE_SOFT_EXPIRED :
		       GRESEC_SA_STATE_EXPIRED);
	}
	ok &= gresec_sa_charge(sa, 10) == GRESEC_SA_STATS_A_DROP_EXPIRED;
	ok &= gresec_sa_check(sa) == GRESEC_SA_STATS_A_DROP_EXPIRED;
	gresec_sa_free(sa);

	/* Bytes: the packet crossing the hard limit passes, the next not. */
	sa = gresec_esp_test_sa(GRESEC_PROPOSAL_AES128GCM16, 0x100, false,
				t->key, 20, NULL, 0);
	if (IS_ERR(sa))
		return false;
	lft.soft_packets = 0;
	lft.hard_packets = 0;
	sa->lft = lft;
	sa->count_limits = true;
	ok &= !gresec_sa_charge(sa, 999);
	ok &= atomic_read(&sa->state) == GRESEC_SA_STATE_ACTIVE;
	ok &= !gresec_sa_charge(sa, 100);
	ok &= atomic_read(&sa->state) == GRESEC_SA_STATE_EXPIRED;
	ok &= gresec_sa_charge(sa, 1) == GRESEC_SA_STATS_A_DROP_EXPIRED;
	gresec_sa_free(sa);
	return ok;
}

bool __init gresec_esp_selftest(void)
{
	static const struct gresec_esp_cbc_suite suites[] __initconst = {
		{ GRESEC_PROPOSAL_AES128_SHA256, "hmac(sha256)", 32, 16 },
		{ GRESEC_PROPOSAL_AES128_SHA1, "hmac(sha1)", 20, 12 },
		{ GRESEC_PROPOSAL_AES128_MD5, "hmac(md5)", 16, 12 },
	};
	struct gresec_esp_test *t;
	bool success = true;
	unsigned int i, j;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return false;
	init_completion(&t->done);
	gresec_esp_test_ctx = t;

	for (i = 0; i < ARRAY_SIZE(gresec_esp_hmac_vectors); i++) {
		if (!gresec_esp_test_hmac(t, &gresec_esp_hmac_vectors[i])) {
			pr_err("esp self-test %s case %u: FAIL\n",
			       gresec_esp_hmac_vectors[i].alg,
			       gresec_esp_hmac_vectors[i].tc);
			success = false;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gresec_esp_gcm_vectors); i++) {
		if (!gresec_esp_test_gcm(t, &gresec_esp_gcm_vectors[i])) {
			pr_err("esp self-test gcm TC%u: FAIL\n",
			       gresec_esp_gcm_vectors[i].tc);
			success = false;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gresec_esp_cbc_vectors); i++) {
		for (j = 0; j < ARRAY_SIZE(suites) * 2; j++) {
			if (gresec_esp_test_cbc(t, &gresec_esp_cbc_vectors[i],
						&suites[j / 2], j & 1))
				continue;
			pr_err("esp self-test rfc3602 case %u %s%s: FAIL\n",
			       gresec_esp_cbc_vectors[i].tc, suites[j / 2].hmac,
			       j & 1 ? " esn" : "");
			success = false;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gresec_esp_test_proposals); i++) {
		for (j = 0; j < 2; j++) {
			if (gresec_esp_test_proposal(t, &gresec_esp_test_proposals[i],
						     j))
				continue;
			pr_err("esp self-test %s%s round trip: FAIL\n",
			       gresec_esp_test_proposals[i].name,
			       j ? " esn" : "");
			success = false;
		}
	}
	if (!gresec_esp_test_limits(t)) {
		pr_err("esp self-test sequence numbers and lifetimes: FAIL\n");
		success = false;
	}
	if (!gresec_esp_test_strip(t)) {
		pr_err("esp self-test trailer checks: FAIL\n");
		success = false;
	}

	gresec_esp_test_ctx = NULL;
	kfree(t);
	if (success)
		pr_info("esp self-tests: pass\n");
	return success;
}
