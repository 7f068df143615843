#include "crypto/secp256k1.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <memory>

#include "crypto/bind_symbol.h"
#include "crypto/openssl_loader.h"

namespace tresor::crypto {
namespace {

struct EcApi {
  decltype(&::EC_GROUP_new_by_curve_name) group_new;
  decltype(&::EC_GROUP_free) group_free;
  decltype(&::EC_GROUP_get0_order) group_order;
  decltype(&::EC_POINT_new) point_new;
  decltype(&::EC_POINT_free) point_free;
  decltype(&::EC_POINT_oct2point) oct2point;
  decltype(&::EC_POINT_point2oct) point2oct;
  decltype(&::EC_POINT_mul) mul;
  decltype(&::EC_POINT_is_at_infinity) at_infinity;
  decltype(&::BN_bin2bn) bin2bn;
  decltype(&::BN_clear_free) bn_clear_free;
  decltype(&::BN_is_zero) bn_is_zero;
  decltype(&::BN_cmp) bn_cmp;
  EC_GROUP* secp256k1;  // never freed: shared by every call, read-only
};

const EcApi* Load() {
  void* library = internal::Libcrypto();
  if (library == nullptr) return nullptr;
  static EcApi api;
  const bool bound = BindSymbol(library, "EC_GROUP_new_by_curve_name", &api.group_new) &&
                     BindSymbol(library, "EC_GROUP_free", &api.group_free) &&
                     BindSymbol(library, "EC_GROUP_get0_order", &api.group_order) &&
                     BindSymbol(library, "EC_POINT_new", &api.point_new) &&
                     BindSymbol(library, "EC_POINT_free", &api.point_free) &&
                     BindSymbol(library, "EC_POINT_oct2point", &api.oct2point) &&
                     BindSymbol(library, "EC_POINT_point2oct", &api.point2oct) &&
                     BindSymbol(library, "EC_POINT_mul", &api.mul) &&
                     BindSymbol(library, "EC_POINT_is_at_infinity", &api.at_infinity) &&
                     BindSymbol(library, "BN_bin2bn", &api.bin2bn) &&
                     BindSymbol(library, "BN_clear_free", &api.bn_clear_free) &&
                     BindSymbol(library, "BN_is_zero", &api.bn_is_zero) &&
                     BindSymbol(library, "BN_cmp", &api.bn_cmp);
  if (!bound) return nullptr;
  api.secp256k1 = api.group_new(NID_secp256k1);
  return api.secp256k1 != nullptr ? &api : nullptr;
}

Result<const EcApi*> Api() {
  static const EcApi* api = Load();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "secp256k1 needs libcrypto.so.3 (OpenSSL 3)");
  }
  return api;
}

template <typename T>
using Owned = std::unique_ptr<T, void (*)(T*)>;

// The scalar as a BIGNUM, checked to be in [1, n-1].
Result<Owned<BIGNUM>> Scalar(const EcApi& api, const SecretBytes& scalar) {
  if (scalar.size() != kSecp256k1ScalarSize) {
    return MakeError(ErrorCode::kInvalidArgument, "a secp256k1 private key is 32 bytes");
  }
  Owned<BIGNUM> k(api.bin2bn(scalar.Reveal().data(), static_cast<int>(scalar.size()), nullptr),
                  api.bn_clear_free);
  if (k == nullptr) return MakeError(ErrorCode::kInternal, "out of memory");
  if (api.bn_is_zero(k.get()) || api.bn_cmp(k.get(), api.group_order(api.secp256k1)) >= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "not a secp256k1 private key (out of range)");
  }
  return k;
}

Result<size_t> Encode(const EcApi& api, const EC_POINT* p, point_conversion_form_t form,
                      std::span<uint8_t> out) {
  if (api.at_infinity(api.secp256k1, p) == 1) {
    return MakeError(ErrorCode::kInvalidArgument, "the product is the point at infinity");
  }
  const size_t n = api.point2oct(api.secp256k1, p, form, out.data(), out.size(), nullptr);
  if (n != out.size()) return MakeError(ErrorCode::kInternal, "secp256k1 point encoding failed");
  return n;
}

}  // namespace

Result<Secp256k1Point> Secp256k1Multiply(std::span<const uint8_t> point,
                                         const SecretBytes& scalar) {
  TRESOR_ASSIGN_OR_RETURN(const EcApi* api, Api());
  TRESOR_ASSIGN_OR_RETURN(Owned<BIGNUM> k, Scalar(*api, scalar));
  Owned<EC_POINT> p(api->point_new(api->secp256k1), api->point_free);
  Owned<EC_POINT> product(api->point_new(api->secp256k1), api->point_free);
  if (p == nullptr || product == nullptr) return MakeError(ErrorCode::kInternal, "out of memory");
  // oct2point refuses a point off the curve (secp256k1's cofactor is 1:
  // every point on it is in the group).
  if (point.empty() ||
      api->oct2point(api->secp256k1, p.get(), point.data(), point.size(), nullptr) != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "not a point on secp256k1");
  }
  if (api->mul(api->secp256k1, product.get(), nullptr, p.get(), k.get(), nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "secp256k1 multiplication failed");
  }
  Secp256k1Point out{};
  TRESOR_RETURN_IF_ERROR(Encode(*api, product.get(), POINT_CONVERSION_UNCOMPRESSED, out));
  return out;
}

Result<std::array<uint8_t, kSecp256k1CompressedSize>> Secp256k1PublicKey(
    const SecretBytes& scalar) {
  TRESOR_ASSIGN_OR_RETURN(const EcApi* api, Api());
  TRESOR_ASSIGN_OR_RETURN(Owned<BIGNUM> k, Scalar(*api, scalar));
  Owned<EC_POINT> pub(api->point_new(api->secp256k1), api->point_free);
  if (pub == nullptr) return MakeError(ErrorCode::kInternal, "out of memory");
  if (api->mul(api->secp256k1, pub.get(), k.get(), nullptr, nullptr, nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "secp256k1 multiplication failed");
  }
  std::array<uint8_t, kSecp256k1CompressedSize> out{};
  TRESOR_RETURN_IF_ERROR(Encode(*api, pub.get(), POINT_CONVERSION_COMPRESSED, out));
  return out;
}

}  // namespace tresor::crypto
