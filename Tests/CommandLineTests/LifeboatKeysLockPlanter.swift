import Foundation
import LifeboatEngine
import Repository

/// Writes a lock object as another host's lifeboat would have.
enum LifeboatKeysLockPlanter {
    static func plant(holder json: String, repository root: String, keyFile: String) throws {
        let repository = try SealedRepository.unlock(storage: LocalStorage(root: root), secrets: [try KeyFile.read(keyFile)])
        try repository.putSealed(KeyManagement.lockName, bytes: Array(json.utf8), mode: .createOnly)
    }
}
