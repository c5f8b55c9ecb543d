// 签名请求示例（Java 11+，仅标准库）/ A signed request in Java 11+, standard library only.
// Run: java SignedRequest.java BASE_URL KEY_ID SECRET
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SignedRequest {
    public static void main(String[] args) throws Exception {
        String base = args[0], keyId = args[1], secret = args[2];
        String method = "POST", path = "/api/v1/messages", query = "";
        String body = "{\"to\":[\"13800138000\"],\"content\":\"您的申报已受理\",\"category\":\"notification\"}";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);

        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        byte[] nonceBytes = new byte[16];
        new SecureRandom().nextBytes(nonceBytes);
        String nonce = HexFormat.of().formatHex(nonceBytes);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        String bodyHash = HexFormat.of().formatHex(sha256.digest(bodyBytes));
        String stringToSign = String.join("\n", method, path, query, timestamp, nonce, bodyHash);

        byte[] signingKey = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
        String signature = HexFormat.of().formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));

        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "HY1-HMAC-SHA256 Key=" + keyId + ", Timestamp=" + timestamp
                + ", Nonce=" + nonce + ", Signature=" + signature)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(bodyBytes))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.body());
    }
}
